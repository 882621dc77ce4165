# Placeholders: replace with the region's values before `tofu plan`.
ami_id            = "ami-0123456789abcdef0"
certificate_arn   = "arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-0000-0000-000000000000"
nines_tarball_url = "https://example.invalid/nines-0.1.0.tar.gz"
