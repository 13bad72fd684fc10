// The Record's command plumbing is libs/Commands' over the patient record's state: these names say so once, for the
// whole service (the commands, the queries that share their cache, and the host's settings).
global using Chronicle.Commands;
global using RecordStateCache = Chronicle.Commands.StreamStateCache<Chronicle.Record.Domain.PatientRecordState>;
global using RecordStateCacheOptions = Chronicle.Commands.StreamStateCacheOptions;
