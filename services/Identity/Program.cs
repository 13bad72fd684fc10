using Chronicle.Identity.Hosting;

// OAuth2 / OpenID Connect authorization server (OpenIddict) with its directory, login page, module admin API
// and the chronicle.identity.v1.Access gRPC service. Wiring lives in Hosting/IdentityHost.cs.
return await IdentityHost.RunAsync(args);
