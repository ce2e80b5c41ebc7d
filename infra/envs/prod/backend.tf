# State in S3, locked in DynamoDB. Backend blocks cannot use variables, so the bucket, table
# and region come from a partial configuration at init time:
#
#   terraform init -backend-config=backend.hcl
#
# (backend.hcl.example shows the keys). The state holds the database password and the
# DATABASE_URL in plain text: the bucket must be encrypted, versioned and readable only by
# the people and the pipeline that apply this configuration.
terraform {
  backend "s3" {
    key     = "tickets/prod/terraform.tfstate"
    encrypt = true
  }
}
