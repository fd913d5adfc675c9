"""The image service (Glance v2 compatible ``/v2/images``): docs/dev/ims-api.md."""
