"""POST /api/v1/auth/tokens {email, password} → {token}; DELETE revokes the caller's token."""

import marshmallow as ma
from flask import request
from flask.views import MethodView

from saas.api.common import StrictSchema, resource_blueprint
from saas.services import auth

URL = "/auth"
blp = resource_blueprint("auth", __name__, description="API tokens")


class CredentialsSchema(StrictSchema):
    email = ma.fields.Email(required=True)
    password = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))


class TokenSchema(ma.Schema):
    token = ma.fields.String()
    expires_in_days = ma.fields.Integer()


@blp.route("/tokens")
class Tokens(MethodView):
    @blp.arguments(CredentialsSchema)
    @blp.response(201, TokenSchema)
    def post(self, credentials):
        """Exchange e-mail and password for a bearer token (shown once)."""
        user = auth.authenticate(credentials["email"], credentials["password"],
                                 request.remote_addr)
        from flask import current_app

        return {"token": auth.issue_token(user.id),
                "expires_in_days": current_app.config["API_TOKEN_DAYS"]}

    @blp.response(204)
    def delete(self):
        """Revoke the token this request carries."""
        auth.revoke_token(request.headers.get("Authorization", "").removeprefix("Bearer ").strip())
