using Chronicle.EventStore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Chronicle.Audit.Chain;

public sealed record CheckpointSchedule(int EveryEntries, TimeSpan Interval);

/// <summary>
/// Takes a signed checkpoint of the chain's head once <see cref="CheckpointSchedule.EveryEntries"/> links were chained
/// since the last one, or <see cref="CheckpointSchedule.Interval"/> has passed with any new link, and once more on
/// shutdown. A checkpoint pins the chain: a later rewrite of anything before it no longer verifies.
/// </summary>
public sealed partial class CheckpointScheduler(AuditLog log, IEventStore store, CheckpointSchedule schedule, ILogger<CheckpointScheduler> logger)
    : BackgroundService
{
    private static readonly TimeSpan MaxPoll = TimeSpan.FromSeconds(1);
    private long _lastSeq = -1;
    private DateTimeOffset _lastAt = DateTimeOffset.UtcNow;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var poll = schedule.Interval < MaxPoll ? schedule.Interval : MaxPoll;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(poll, stoppingToken).ConfigureAwait(false);
                await CheckpointIfDueAsync(force: false, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogFailed(logger, e);
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await CheckpointIfDueAsync(force: true, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogFailed(logger, e);
        }
    }

    private async Task CheckpointIfDueAsync(bool force, CancellationToken cancellationToken)
    {
        if (_lastSeq < 0)
            _lastSeq = await LastCheckpointedSeqAsync(cancellationToken).ConfigureAwait(false);
        var (head, _) = await log.GetHeadAsync(cancellationToken).ConfigureAwait(false);
        var now = DateTimeOffset.UtcNow;
        if (head <= _lastSeq || !(force || head - _lastSeq >= schedule.EveryEntries || now - _lastAt >= schedule.Interval))
            return;
        if (await log.CheckpointAsync(cancellationToken).ConfigureAwait(false) is { } checkpoint)
        {
            _lastSeq = checkpoint.Seq;
            _lastAt = now;
            LogCheckpoint(logger, checkpoint.Seq, checkpoint.KeyId);
        }
    }

    private async Task<long> LastCheckpointedSeqAsync(CancellationToken cancellationToken)
    {
        var last = await store.ReadStreamAsync(AuditLog.CheckpointStream, new StreamReadOptions { Direction = ReadDirection.Backward, MaxCount = 1 },
            cancellationToken).ConfigureAwait(false);
        return last.Count > 0 && SignedCheckpoint.TryRead(last[0].Data) is { } checkpoint ? checkpoint.Seq : 0;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Signed audit checkpoint at seq {Seq} with key {KeyId}")]
    private static partial void LogCheckpoint(ILogger logger, long seq, string keyId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not take an audit checkpoint; trying again shortly")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
