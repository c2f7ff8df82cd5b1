"""Parameter types shared by every router.

Ids are bounded to what the database can store (a signed 64-bit integer): a larger number would
otherwise reach the driver and fail there, where the error could no longer name the parameter.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from steward.core.validation import MAX_ID

ObjectId = Annotated[int, Field(ge=1, le=MAX_ID, description="An object's id")]
OptionalId = Annotated[int | None, Field(default=None, ge=1, le=MAX_ID)]
