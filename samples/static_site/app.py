"""A static website at www.example.com: the files of site/ in a private bucket, served by CloudFront over
HTTPS with a DNS-validated certificate, and the name pointed at the distribution (A and AAAA aliases).

The hosted zone exists already (registering a domain is not a stack's job): its id and name are given.
The stack is in us-east-1 because CloudFront takes certificates of that region only.
`iac deploy` uploads site/ (as a zip asset); the stack's custom resource copies it into the bucket and,
on later deploys, invalidates the distribution's cache. The site's access logs (the distribution's under
cdn/, the bucket's server access logs under site/) go to a log bucket of the stack, kept 90 days.
"""

from iac import App, Output, Stack
from iac.constructs import route53, s3
from iac.constructs.patterns import StaticWebsite

app = App()
stack = Stack(app, "StaticSite", region="us-east-1", description="www.example.com: a static site on CloudFront")

zone = route53.HostedZone.from_attributes(hosted_zone_id="Z0123456789EXAMPLE", zone_name="example.com")
logs = s3.Bucket(stack, "AccessLogs",
                 lifecycle_rules=[{"Id": "ExpireLogs", "Status": "Enabled", "ExpirationInDays": 90}])
site = StaticWebsite(stack, "Site", source="site", domain_name="www.example.com", hosted_zone=zone,
                     error_document="404.html", log_bucket=logs)
Output(stack, "Url", value=site.url)
Output(stack, "DistributionId", value=site.distribution.distribution_id)
Output(stack, "BucketName", value=site.bucket.bucket_name)

app.synth()
