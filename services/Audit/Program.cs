using Chronicle.Audit.Host;

// `serve` (the default) or `verify [--sqlite PATH | --postgres CONNECTION] [--key PEM]... [--emitter SERVICE=PEM]... [--from SEQ] [--to SEQ]`;
// `--help` lists the settings. What the service is made of: AuditService.Compose.
return await AuditHost.RunAsync(args, AuditService.Compose);
