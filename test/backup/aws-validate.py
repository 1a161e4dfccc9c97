"""Validates AWS request parameters with botocore's own request validator, offline.

Reads a JSON list of {"service": ..., "operation": ..., "params": {...}} on stdin and prints, for each request,
the validator's report (an empty string when valid), and the operation names of each service's model. botocore's
loader reads the API models shipped with the package (data/<service>/*/service-2.json): no network, no
credentials, no client.
"""

import json
import sys

import botocore
from botocore.loaders import Loader
from botocore.model import ServiceModel
from botocore.validate import ParamValidator

loader = Loader()
models = {}


def model(name):
    if name not in models:
        models[name] = ServiceModel(loader.load_service_model(name, "service-2"), service_name=name)
    return models[name]


validator = ParamValidator()
reports = []
for request in json.load(sys.stdin):
    operation = model(request["service"]).operation_model(request["operation"])
    report = validator.validate(request["params"], operation.input_shape)
    reports.append(report.generate_report() if report.has_errors() else "")
json.dump(
    {
        "botocore": botocore.__version__,
        "apiVersions": {name: service.api_version for name, service in models.items()},
        "operations": {name: sorted(service.operation_names) for name, service in models.items()},
        "reports": reports,
    },
    sys.stdout,
)
