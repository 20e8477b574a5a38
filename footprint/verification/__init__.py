"""`footprint verify`: re-run a declaration's calculation and say whether it is reproduced.

`verify` runs the steps; `inputs` checks the file, study, method, rules and class table;
`compare` compares the recalculated declaration field by field; `report` is the answer
(`footprint schema verification`); `statement` is what a verifier signs about it
(`footprint schema verification-statement`) and checks signed files.
"""

from .report import (
    ABSOLUTE_TOLERANCE,
    RELATIVE_TOLERANCE,
    TOLERANCE_RULE,
    ClassDifference,
    FieldDifference,
    InputChange,
    ResultDifference,
    Tolerance,
    VerificationReport,
    agree,
)
from .statement import (
    STATEMENT_FILE,
    SignatureCheck,
    SignedVerificationStatement,
    StatementCheck,
    VerificationStatement,
    VerifierIdentity,
    check_producer_signature,
    check_record_file,
    check_statement,
    statement_from_report,
    verify_signature_file,
    with_signature_failure,
)
from .verify import UNSIGNED, verify_declaration

__all__ = [name for name in dir() if not name.startswith("_")]
