# Storage, snapshots and Performance Insights are encrypted with a key of our own, so that
# a snapshot can be shared with another account (the default aws/rds key cannot).
resource "aws_kms_key" "rds" {
  description             = "${var.identifier} storage and Performance Insights"
  deletion_window_in_days = 30
  enable_key_rotation     = true

  tags = var.tags
}

resource "aws_kms_alias" "rds" {
  name          = "alias/${var.identifier}"
  target_key_id = aws_kms_key.rds.key_id
}

resource "aws_db_subnet_group" "this" {
  name       = var.identifier
  subnet_ids = var.subnet_ids

  tags = var.tags
}

# No inline rules: the one ingress rule below is the whole policy, and no egress is needed.
resource "aws_security_group" "db" {
  name        = var.identifier
  description = "PostgreSQL ${var.identifier}: 5432 from the EKS cluster security group only"
  vpc_id      = var.vpc_id

  tags = merge(var.tags, { Name = var.identifier })
}

resource "aws_vpc_security_group_ingress_rule" "postgres_from_cluster" {
  security_group_id            = aws_security_group.db.id
  description                  = "PostgreSQL from EKS nodes and pods"
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
  referenced_security_group_id = var.allowed_security_group_id
}

resource "aws_db_parameter_group" "this" {
  name_prefix = "${var.identifier}-pg15-"
  family      = "postgres15"
  description = "${var.identifier}: TLS only, slow statements logged"

  # Refuse unencrypted connections; the URL in Secrets Manager says sslmode=require.
  parameter {
    name  = "rds.force_ssl"
    value = "1"
  }

  parameter {
    name  = "log_min_duration_statement"
    value = tostring(var.log_min_duration_ms)
  }

  # Lock waits are where an on-sale hurts; log those longer than deadlock_timeout (1 s).
  parameter {
    name  = "log_lock_waits"
    value = "1"
  }

  # A pool connection left idle inside a transaction holds row locks on inventory.
  parameter {
    name  = "idle_in_transaction_session_timeout"
    value = "60000"
  }

  tags = var.tags

  # A changed family or name needs a new group; create it before the instance lets go of
  # the old one.
  lifecycle {
    create_before_destroy = true
  }
}

# Letters and digits only: the password goes verbatim into a postgres:// URL, and RDS
# refuses / @ " and spaces. 32 alphanumerics are about 190 bits.
resource "random_password" "master" {
  length  = 32
  special = false
}

resource "aws_db_instance" "this" {
  identifier     = var.identifier
  engine         = "postgres"
  engine_version = var.engine_version
  instance_class = var.instance_class

  db_name  = var.db_name
  username = var.username
  password = random_password.master.result
  port     = 5432

  allocated_storage     = var.allocated_storage
  max_allocated_storage = var.max_allocated_storage
  storage_type          = "gp3"
  storage_encrypted     = true
  kms_key_id            = aws_kms_key.rds.arn

  multi_az               = var.multi_az
  db_subnet_group_name   = aws_db_subnet_group.this.name
  vpc_security_group_ids = [aws_security_group.db.id]
  publicly_accessible    = false
  parameter_group_name   = aws_db_parameter_group.this.name
  ca_cert_identifier     = "rds-ca-rsa2048-g1"

  backup_retention_period   = var.backup_retention_days
  backup_window             = "02:00-03:00"
  maintenance_window        = "sun:03:30-sun:04:30"
  copy_tags_to_snapshot     = true
  deletion_protection       = var.deletion_protection
  skip_final_snapshot       = var.skip_final_snapshot
  final_snapshot_identifier = var.skip_final_snapshot ? null : "${var.identifier}-final"

  performance_insights_enabled          = true
  performance_insights_kms_key_id       = aws_kms_key.rds.arn
  performance_insights_retention_period = var.performance_insights_retention_days

  enabled_cloudwatch_logs_exports = ["postgresql", "upgrade"]
  auto_minor_version_upgrade      = true
  apply_immediately               = var.apply_immediately

  tags = var.tags
}
