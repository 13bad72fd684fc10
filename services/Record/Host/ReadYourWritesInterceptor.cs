using Chronicle.EventStore;
using Chronicle.Record.Fhir.Projection;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Logging;

namespace Chronicle.Record.Host;

/// <summary>
/// Holds a command's reply until the FHIR read model includes the command's last event, so the caller's next FHIR
/// read shows the write without asking for it. The wait is bounded by <see cref="RecordHostSettings.ReadYourWritesWait"/>:
/// past it the reply goes anyway (the write is committed), and the caller can still pass the reply's log position as
/// X-Chronicle-Min-Position to make a read wait. A wait of zero turns the waiting off.
/// </summary>
public sealed partial class ReadYourWritesInterceptor(RecordFhirReadModel readModel, RecordHostSettings settings,
    ILogger<ReadYourWritesInterceptor> logger) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context,
        UnaryServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        ArgumentNullException.ThrowIfNull(context);
        var response = await continuation(request, context).ConfigureAwait(false);
        if (response is Contracts.Record.V1.CommandReply { LogPosition: { } position } && settings.ReadYourWritesWait > TimeSpan.Zero)
            await WaitForReadModelAsync(new LogPosition(position.Transaction, position.Position), context).ConfigureAwait(false);
        return response;
    }

    private async Task WaitForReadModelAsync(LogPosition position, ServerCallContext context)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
        timeout.CancelAfter(settings.ReadYourWritesWait);
        try
        {
            await readModel.WaitForAsync(position, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!context.CancellationToken.IsCancellationRequested)
        {
            LogNotCaughtUp(logger, context.Method, position, settings.ReadYourWritesWait, readModel.Checkpoint);
        }
        catch (ObjectDisposedException)
        {
            // The host is shutting down and the projection has stopped; the write itself is committed.
        }
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "{Method} replied before the FHIR read model reached its write at {Position}: it waited {Wait} and the read model is at {Checkpoint}. " +
                  "Callers can send X-Chronicle-Min-Position to wait for it.")]
    private static partial void LogNotCaughtUp(ILogger logger, string method, LogPosition position, TimeSpan wait, LogPosition checkpoint);
}
