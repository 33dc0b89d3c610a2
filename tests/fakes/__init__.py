"""Local fakes of the providers' APIs, driven through their real clients."""
