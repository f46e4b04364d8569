"""GET /api/v1/me: who am I, in which region and institution."""

import marshmallow as ma
from flask.views import MethodView
from flask_login import current_user

from saas.api.common import resource_blueprint

URL = "/me"
blp = resource_blueprint("me", __name__, description="The signed-in user")


class RegionRefSchema(ma.Schema):
    id = ma.fields.Integer()
    code = ma.fields.String()
    name = ma.fields.String()


class InstitutionRefSchema(RegionRefSchema):
    kind = ma.fields.String()


class MeSchema(ma.Schema):
    id = ma.fields.Integer()
    email = ma.fields.String()
    name = ma.fields.String()
    role = ma.fields.String()
    region = ma.fields.Nested(RegionRefSchema)
    institution = ma.fields.Nested(InstitutionRefSchema, allow_none=True)


@blp.route("")
class Me(MethodView):
    @blp.response(200, MeSchema)
    def get(self):
        from saas.services.institutions import institution_of

        user = current_user
        return {"id": user.id, "email": user.email, "name": user.name, "role": user.role,
                "region": user.region, "institution": institution_of(user)}
