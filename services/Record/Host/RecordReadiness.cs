using Chronicle.Record.Fhir.Projection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Chronicle.Record.Host;

/// <summary>
/// Ready once the FHIR read model has caught up with the log as it was when the host started: until then FHIR reads
/// would show an old record. Readiness is not withdrawn afterwards, since read-your-writes covers later lag.
/// </summary>
public sealed partial class RecordReadiness(RecordFhirReadModel readModel, ILogger<RecordReadiness> logger) : BackgroundService, IHealthCheck
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);
    private volatile bool _ready;

    public bool IsReady => _ready;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(_ready
            ? HealthCheckResult.Healthy("The FHIR read model has caught up with the event log.")
            : HealthCheckResult.Unhealthy("The FHIR read model is catching up with the event log."));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var lag = await readModel.GetLagAsync(stoppingToken).ConfigureAwait(false);
                if (lag.EventsBehind == 0)
                {
                    _ready = true;
                    LogReady(logger, lag.Checkpoint.ToString());
                    return;
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A database that is briefly unreachable: stay not-ready and ask again.
                LogLagUnknown(logger, e);
            }

            await Task.Delay(PollInterval, stoppingToken).ConfigureAwait(false);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Chronicle Record is ready: the FHIR read model has caught up at log position {Checkpoint}.")]
    private static partial void LogReady(ILogger logger, string checkpoint);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read the FHIR read model's lag; readiness is checked again shortly.")]
    private static partial void LogLagUnknown(ILogger logger, Exception exception);
}
