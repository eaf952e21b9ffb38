# A Rasa replica: the official image with the one package version cluster mode pins
# differently (jsonschema, see requirements.lock and docs/operations.md). The trained model,
# the language assets, channels/ and stores/ are mounted by docker-compose.yml.
FROM rasa/rasa:3.6.21-full
USER root
RUN pip install --no-cache-dir --no-deps jsonschema==3.2.0
USER 1001
