// The Record's names for libs/Commands' types over the patient record's state, as in the service (Application/RecordStreamState.cs).
global using Chronicle.Commands;
global using FoldedRecord = Chronicle.Commands.FoldedStream<Chronicle.Record.Domain.PatientRecordState>;
global using RecordStateCache = Chronicle.Commands.StreamStateCache<Chronicle.Record.Domain.PatientRecordState>;
global using RecordStateCacheOptions = Chronicle.Commands.StreamStateCacheOptions;
