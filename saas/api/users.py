"""/api/v1/users: the accounts of the caller's scope (account managers only), unlock."""

import marshmallow as ma
from flask.views import MethodView

from saas.api.common import PageArgs, Timestamp, page_schema, resource_blueprint
from saas.domain.permissions import ROLES
from saas.services import users

URL = "/users"
blp = resource_blueprint("users", __name__, description="账号管理")


class UserSchema(ma.Schema):
    id = ma.fields.Integer()
    email = ma.fields.String()
    name = ma.fields.String()
    role = ma.fields.String(metadata={"enum": list(ROLES)})
    institution_id = ma.fields.Integer(allow_none=True)
    active = ma.fields.Boolean()
    locked = ma.fields.Function(lambda user: user.is_locked(), dump_only=True)
    locked_until = Timestamp(allow_none=True)
    last_login_at = Timestamp(allow_none=True)


class UserArgs(PageArgs):
    locked = ma.fields.Boolean(metadata={"description": "only the accounts locked now"})


@blp.route("")
class UserList(MethodView):
    @blp.arguments(UserArgs, location="query")
    @blp.response(200, page_schema(UserSchema))
    def get(self, args):
        """Accounts of the caller's scope: a bureau admin's region, an institution admin's
        institution."""
        return users.page(args.get("locked", False), args["page"], args["page_size"],
                          args.get("after"))


@blp.route("/<int:user_id>/unlock")
class Unlock(MethodView):
    @blp.response(200, UserSchema)
    def post(self, user_id):
        """Unlock an account locked after repeated failed sign-ins (解除锁定)."""
        return users.unlock(user_id)
