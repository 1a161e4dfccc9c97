"""Validates Route53 request parameters with botocore's own request validator, offline.

Reads a JSON list of {"operation": ..., "params": {...}} on stdin and prints a JSON list with, for each
request, the validator's report (an empty string when valid). botocore's loader reads the Route53 API model
shipped with the package (data/route53/*/service-2.json): no network, no credentials, no client.
"""

import json
import sys

import botocore
from botocore.loaders import Loader
from botocore.model import ServiceModel
from botocore.validate import ParamValidator

service = ServiceModel(Loader().load_service_model("route53", "service-2"), service_name="route53")
validator = ParamValidator()
reports = []
for request in json.load(sys.stdin):
    operation = service.operation_model(request["operation"])
    report = validator.validate(request["params"], operation.input_shape)
    reports.append(report.generate_report() if report.has_errors() else "")
json.dump({"botocore": botocore.__version__, "apiVersion": service.api_version, "reports": reports}, sys.stdout)
