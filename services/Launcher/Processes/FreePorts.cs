using System.Net;
using System.Net.Sockets;

namespace Chronicle.Launcher.Processes;

/// <summary>
/// Loopback ports that are free now, chosen before any service starts so that each can be told every other's address.
/// All are held open until all are chosen, so no two are the same.
/// </summary>
internal static class FreePorts
{
    public static IReadOnlyList<int> Take(int count)
    {
        var listeners = new List<TcpListener>(count);
        try
        {
            for (var i = 0; i < count; i++)
            {
                var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                listeners.Add(listener);
            }

            return listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToList();
        }
        finally
        {
            foreach (var listener in listeners)
                listener.Stop();
        }
    }
}
