# The action server: the official rasa-sdk image plus what actions/ imports, at the versions
# of requirements.lock (used as pip constraints). actions/ and knowledge/ are mounted by
# docker-compose.yml.
FROM rasa/rasa-sdk:3.6.2
USER root
COPY requirements.lock /tmp/requirements.lock
RUN pip install --no-cache-dir -c /tmp/requirements.lock \
        spacy spacy-lookups-data scikit-learn RapidFuzz jsonschema PyYAML \
    && rm /tmp/requirements.lock
USER 1001
