resource "aws_lb" "api" {
  name                             = "${var.name}-api"
  load_balancer_type               = "network"
  internal                         = false
  subnets                          = aws_subnet.public[*].id
  security_groups                  = [aws_security_group.tier["nlb"].id]
  enable_cross_zone_load_balancing = true
  enable_deletion_protection       = true
  #checkov:skip=CKV_AWS_91:access logs need an S3 bucket and its policy per region; connection records are in the VPC flow logs and request logs on the api servers
  tags = local.tags
}

resource "aws_lb_target_group" "api" {
  name                 = "${var.name}-api"
  port                 = local.ports.api
  protocol             = "TCP"
  vpc_id               = aws_vpc.this.id
  deregistration_delay = 30
  # An api server without a broker connection or identity snapshot answers 503 on /readyz
  # and is taken out of rotation (README, The API).
  health_check {
    protocol            = "HTTP"
    path                = "/readyz"
    port                = "traffic-port"
    interval            = 10
    healthy_threshold   = 2
    unhealthy_threshold = 2
  }
  tags = local.tags
}

resource "aws_lb_listener" "https" {
  load_balancer_arn = aws_lb.api.arn
  port              = 443
  protocol          = "TLS"
  certificate_arn   = var.certificate_arn
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.api.arn
  }
  tags = local.tags
}
