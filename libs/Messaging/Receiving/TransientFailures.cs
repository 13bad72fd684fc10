using System.Data.Common;
using System.Net.Http;
using System.Net.Sockets;
using Grpc.Core;

namespace Chronicle.Messaging.Receiving;

/// <summary>
/// Says whether a handler's failure may pass if the event is delivered again (RETRY) or will recur (dead-letter and DROP).
/// Replace the registration to teach it a service's own exceptions.
/// </summary>
public interface ITransientFailureClassifier
{
    bool IsTransient(Exception exception);
}

public sealed class TransientFailureClassifier : ITransientFailureClassifier
{
    public bool IsTransient(Exception exception) => exception switch
    {
        TransientEventFailureException or TimeoutException or HttpRequestException or SocketException => true,
        // Npgsql marks connection loss, serialization failures and deadlocks transient; Microsoft.Data.Sqlite, busy and locked.
        DbException db => db.IsTransient || (exception.InnerException is not null && IsTransient(exception.InnerException)),
        RpcException rpc => rpc.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Aborted
            or StatusCode.ResourceExhausted,
        _ => exception.InnerException is not null && IsTransient(exception.InnerException),
    };
}
