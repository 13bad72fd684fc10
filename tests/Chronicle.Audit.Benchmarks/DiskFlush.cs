using System.Diagnostics;
using Microsoft.Win32.SafeHandles;

namespace Chronicle.Audit.Benchmarks;

/// <summary>
/// The floor under any durable write on this disk, measured in the same run as the reads: a 512-byte write into a
/// preallocated file followed by a flush to disk (fsync). No store can make an entry durable for less than this.
/// </summary>
internal static class DiskFlush
{
    public static LatencySample Measure(string folder, int flushes)
    {
        var path = Path.Combine(folder, "flush-probe.bin");
        var sample = new LatencySample();
        using (var file = new FileStream(path, FileMode.Create, FileAccess.ReadWrite, FileShare.None, bufferSize: 0))
        {
            var block = new byte[512];
            Random.Shared.NextBytes(block);
            file.SetLength(flushes * (long)block.Length);
            file.Write(new byte[file.Length]);
            file.Flush(flushToDisk: true);
            SafeFileHandle handle = file.SafeFileHandle;
            for (var i = 0; i < flushes; i++)
            {
                var started = Stopwatch.GetTimestamp();
                RandomAccess.Write(handle, block, i * (long)block.Length);
                file.Flush(flushToDisk: true);
                sample.Add(Stopwatch.GetElapsedTime(started));
            }
        }

        File.Delete(path);
        return sample;
    }
}
