# A Rasa replica: the official image with the package versions requirements.lock pins
# differently or adds (jsonschema, hiredis; see docs/operations.md). The trained model, the
# language assets and the project's Rasa-side code (channels/, stores/, components/) are
# mounted by docker-compose.yml.
FROM rasa/rasa:3.6.21-full
USER root
RUN pip install --no-cache-dir --no-deps jsonschema==3.2.0 hiredis==2.3.2
USER 1001
