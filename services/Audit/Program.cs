using Chronicle.Audit.Host;
using Chronicle.ServiceDefaults;

// `serve` (the default), `verify [--sqlite PATH | --postgres CONNECTION] [--key PEM]... [--emitter SERVICE=PEM]... [--from SEQ] [--to SEQ]`
// or `rebuild --projection audit-queries`; `--help` lists the settings. What the service is made of: AuditService.Compose.
return await ServiceHost.RunAsync(args, AuditHost.Definition, AuditService.Compose);
