"""Checks an IAM policy document with botocore, offline, as test/dns/route53-validate.py checks Route53 requests.

botocore has no grammar of policy documents; it has the IAM API model and Route53's. Reads a JSON object
{"policyName": ..., "document": "<the policy JSON>"} on stdin and prints a JSON object with:
- "createPolicy": the request validator's report on IAM CreatePolicy with that document ("" when valid);
- "putUserPolicy": the same for PutUserPolicy (an inline policy of the IAM user certbot runs as);
- "unknownActions": each route53:Action of the document that names no operation of Route53's API model.
"""

import json
import sys

import botocore
from botocore.loaders import Loader
from botocore.model import ServiceModel
from botocore.validate import ParamValidator

loader = Loader()
iam = ServiceModel(loader.load_service_model("iam", "service-2"), service_name="iam")
route53 = ServiceModel(loader.load_service_model("route53", "service-2"), service_name="route53")
validator = ParamValidator()

request = json.load(sys.stdin)
document = request["document"]


def report(operation, params):
    result = validator.validate(params, iam.operation_model(operation).input_shape)
    return result.generate_report() if result.has_errors() else ""


actions = []
for statement in json.loads(document)["Statement"]:
    listed = statement["Action"]
    actions.extend([listed] if isinstance(listed, str) else listed)
operations = set(route53.operation_names)
unknown = [action for action in actions if not (action.startswith("route53:") and action[len("route53:"):] in operations)]

json.dump(
    {
        "botocore": botocore.__version__,
        "createPolicy": report("CreatePolicy", {"PolicyName": request["policyName"], "PolicyDocument": document}),
        "putUserPolicy": report(
            "PutUserPolicy", {"UserName": "certbot", "PolicyName": request["policyName"], "PolicyDocument": document}
        ),
        "unknownActions": unknown,
    },
    sys.stdout,
)
