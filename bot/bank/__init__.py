"""The question bank: model, file formats, mojibake repair, validation, selection.

No discord imports here.
"""

from bot.bank.bank import Bank, Problem, Skipped
from bot.bank.loader import load_bank
from bot.bank.model import BankError, Question, Reference, Section

__all__ = ["Bank", "BankError", "Problem", "Question", "Reference", "Section", "Skipped", "load_bank"]
