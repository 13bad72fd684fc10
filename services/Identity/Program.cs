using Chronicle.Identity.Hosting;
using Chronicle.ServiceDefaults;

// `serve` (the default; `--demo` seeds the demo directory and prints its credentials); `--help` lists the settings.
// What the service is made of: IdentityService.Compose.
return await ServiceHost.RunAsync(args, IdentityHost.Definition, IdentityService.Compose);
