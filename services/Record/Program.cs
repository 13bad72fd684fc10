using Chronicle.Record.Host;

// `serve` (the default; `--demo N` seeds synthetic patients into an empty store) or
// `generate --patients N [--seed S] [--today yyyy-MM-dd]`; `--help` lists the settings. What the service is made of:
// RecordService.Compose.
return await RecordCommandLine.RunAsync(args, RecordService.Compose);
