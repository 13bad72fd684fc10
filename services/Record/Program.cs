using Chronicle.Record.Host;
using Chronicle.ServiceDefaults;

// `serve` (the default; `--demo N` seeds synthetic patients into an empty store), `generate --patients N [--seed S]
// [--today yyyy-MM-dd]` or `rebuild --projection NAME`; `--help` lists the settings. What the service is made of: RecordService.Compose.
return await ServiceHost.RunAsync(args, RecordHost.Definition, RecordService.Compose);
