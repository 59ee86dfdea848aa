"""Third-party dependencies of every Lambda function, packaged as one Lambda layer.

The Lambda runtime and architecture live here, next to the layer build, because the wheels
installed by `python -m layers.build` must match what the CDK app deploys. `infra/` reads
these constants; change them together with `layers/requirements.txt`.
"""

LAMBDA_PYTHON_VERSION = "3.14"
"""Python version of the Lambda runtime. Every layer dependency ships a cp314 aarch64 wheel."""

LAMBDA_ARCHITECTURE = "arm64"
"""Lambda architecture; wheels are installed for manylinux aarch64."""
