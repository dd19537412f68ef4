"""A static website at www.example.com: the files of site/ in a private bucket, served by CloudFront over
HTTPS with a DNS-validated certificate, and the name pointed at the distribution (A and AAAA aliases).

The hosted zone exists already (registering a domain is not a stack's job): its id and name are given.
The stack is in us-east-1 because CloudFront takes certificates of that region only.
`iac deploy` uploads site/ (as a zip asset); the stack's custom resource copies it into the bucket and,
on later deploys, invalidates the distribution's cache.
"""

from iac import App, Output, Stack, suppress
from iac.constructs import route53
from iac.constructs.patterns import StaticWebsite

app = App()
stack = Stack(app, "StaticSite", region="us-east-1", description="www.example.com: a static site on CloudFront")

zone = route53.HostedZone.from_attributes(hosted_zone_id="Z0123456789EXAMPLE", zone_name="example.com")
site = StaticWebsite(stack, "Site", source="site", domain_name="www.example.com", hosted_zone=zone,
                     error_document="404.html")
# Only CloudFront reads the bucket (origin access control), so the distribution's logs would be the record of
# every read; a sample has no log bucket for them (cloudfront.Distribution takes log_bucket=, StaticWebsite not yet).
suppress(site.bucket, "IAC-S3-005", reason="read by CloudFront alone, through origin access control")
suppress(site.distribution, "IAC-CLOUDFRONT-001", reason="a sample without a log bucket: the site keeps no access logs")
Output(stack, "Url", value=site.url)
Output(stack, "DistributionId", value=site.distribution.distribution_id)
Output(stack, "BucketName", value=site.bucket.bucket_name)

app.synth()
