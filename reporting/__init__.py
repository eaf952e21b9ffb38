"""The content team's report: what people asked, what the assistant could not answer.

Read-only over the conversation store `make run` writes (any SQLAlchemy URL), without Rasa:
`turns` reads the events as turns and decides each turn's outcome, `unanswered` groups the
questions that were declined or clarified, `report` builds the tables and writes the HTML
page and CSV files. `scripts/report.py` (`make report`) is the command line.
"""
