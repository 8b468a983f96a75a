"""Constants shared by the Bedrock tests: AWS's documented example credentials and the region the
fake server scopes signatures to."""

AKID = "AKIDEXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
REGION = "us-east-1"
