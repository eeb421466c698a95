# DKIM records for Amazon SES, proposed by assure

resource "aws_route53_record" "dkim_example_com_1" {
  zone_id = "Z0EXAMPLE123"
  name    = "use1abcdefghijklmnopqrstuvwxyz._domainkey.example.com"
  type    = "CNAME"
  ttl     = 1800
  records = ["use1abcdefghijklmnopqrstuvwxyz.dkim.amazonses.com"]
}

resource "aws_route53_record" "dkim_example_com_2" {
  zone_id = "Z0EXAMPLE123"
  name    = "use2abcdefghijklmnopqrstuvwxyz._domainkey.example.com"
  type    = "CNAME"
  ttl     = 1800
  records = ["use2abcdefghijklmnopqrstuvwxyz.dkim.amazonses.com"]
}

resource "aws_route53_record" "dkim_example_com_3" {
  zone_id = "Z0EXAMPLE123"
  name    = "use3abcdefghijklmnopqrstuvwxyz._domainkey.example.com"
  type    = "CNAME"
  ttl     = 1800
  records = ["use3abcdefghijklmnopqrstuvwxyz.dkim.amazonses.com"]
}

# The hosted zone is assumed to be mail.example.org; change `name` if it is a parent zone.
data "aws_route53_zone" "mail_example_org" {
  name         = "mail.example.org."
  private_zone = false
}

resource "aws_route53_record" "dkim_mail_example_org_1" {
  zone_id = data.aws_route53_zone.mail_example_org.zone_id
  name    = "afs1abcdefghijklmnopqrstuvwxyz._domainkey.mail.example.org"
  type    = "CNAME"
  ttl     = 1800
  records = ["afs1abcdefghijklmnopqrstuvwxyz.dkim.af-south-1.amazonses.com"]
}

resource "aws_route53_record" "dkim_mail_example_org_2" {
  zone_id = data.aws_route53_zone.mail_example_org.zone_id
  name    = "afs2abcdefghijklmnopqrstuvwxyz._domainkey.mail.example.org"
  type    = "CNAME"
  ttl     = 1800
  records = ["afs2abcdefghijklmnopqrstuvwxyz.dkim.af-south-1.amazonses.com"]
}

resource "aws_route53_record" "dkim_mail_example_org_3" {
  zone_id = data.aws_route53_zone.mail_example_org.zone_id
  name    = "afs3abcdefghijklmnopqrstuvwxyz._domainkey.mail.example.org"
  type    = "CNAME"
  ttl     = 1800
  records = ["afs3abcdefghijklmnopqrstuvwxyz.dkim.af-south-1.amazonses.com"]
}

# The hosted zone is assumed to be byok.example.net; change `name` if it is a parent zone.
data "aws_route53_zone" "byok_example_net" {
  name         = "byok.example.net."
  private_zone = false
}

resource "aws_route53_record" "dkim_byok_example_net_1" {
  zone_id = data.aws_route53_zone.byok_example_net.zone_id
  name    = "sel2026._domainkey.byok.example.net"
  type    = "TXT"
  ttl     = 1800
  records = ["v=DKIM1; k=rsa; p=<your-public-key-base64>"]
}

# new.example.net (eu-west-1): its tokens are created by `assure apply`; run `assure fix` again afterwards for its records
