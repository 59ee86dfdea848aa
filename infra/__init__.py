"""The ordertrack CDK app: `python -m infra.app` synthesizes, `python -m infra.synth` reuses cdk.out."""

import os

# jsii prints a banner on every start under Node 20; it is noise for synth and tests.
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")
