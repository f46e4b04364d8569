"""The shape of every API error: RFC 9457 problem details (application/problem+json).
saas.api.errors answers with it; saas.extensions documents every error response with it."""

import marshmallow as ma

PROBLEM_JSON = "application/problem+json"


class ProblemSchema(ma.Schema):
    """RFC 9457 problem details, as every API error answers."""

    type = ma.fields.String(metadata={"example": "about:blank"})
    status = ma.fields.Integer(metadata={"example": 422})
    title = ma.fields.String()
    detail = ma.fields.String()
    errors = ma.fields.Dict(keys=ma.fields.String(), metadata={
        "description": "bad input: each field and its messages"})
