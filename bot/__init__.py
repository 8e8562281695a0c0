"""quizbot: a Discord bot that runs exam practice for study groups."""

__version__ = "0.1.0"
