namespace Chronicle.Auditing.Tests;

/// <summary>
/// The flat-combining group writer behind the audit trail and the audit chain: no caller is answered before its item is
/// written, callers waiting together share one write, a failed write fails exactly its group, and order is kept.
/// </summary>
public sealed class GroupCommitTests
{
    /// <summary>A write that records every group and holds the group containing <c>held</c> open until released.</summary>
    private sealed class HeldWrite<T>(T held, Func<IReadOnlyList<T>, Exception?>? fail = null)
    {
        public List<IReadOnlyList<T>> Groups { get; } = [];
        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public IEnumerable<T> Written => Groups.SelectMany(g => g);

        public async Task WriteAsync(IReadOnlyList<T> group)
        {
            lock (Groups)
                Groups.Add(group);
            if (group.Contains(held))
            {
                Started.SetResult();
                await Release.Task;
            }

            if (fail?.Invoke(group) is { } error)
                throw error;
        }
    }

    [Fact]
    public async Task GivenALoneCaller_WhenItWrites_ThenItsItemIsWrittenOnceInAGroupOfItsOwn()
    {
        var write = new HeldWrite<int>(-1);
        await using var commit = new GroupCommit<int, int>(write.WriteAsync, i => i, 10);

        await commit.WriteAsync(7);

        Assert.Equal([7], Assert.Single(write.Groups));
    }

    [Fact]
    public async Task GivenCallersWaitingBehindAWrite_WhenItEnds_ThenTheyShareTheNextOneInArrivalOrder()
    {
        var write = new HeldWrite<int>(0);
        await using var commit = new GroupCommit<int, int>(write.WriteAsync, i => i, 100);

        var first = commit.WriteAsync(0);
        await write.Started.Task;
        var waiting = Enumerable.Range(1, 20).Select(i => commit.WriteAsync(i)).ToList();
        Assert.All(waiting, w => Assert.False(w.IsCompleted));
        write.Release.SetResult();
        await first;
        await Task.WhenAll(waiting);

        Assert.Equal(2, write.Groups.Count);
        Assert.Equal([0], write.Groups[0]);
        Assert.Equal(Enumerable.Range(1, 20), write.Groups[1]);
    }

    [Fact]
    public async Task GivenManyConcurrentCallers_WhenWritten_ThenNoGroupExceedsTheBatchSizeAndEveryItemIsWrittenOnce()
    {
        var write = new HeldWrite<int>(-1);
        await using var commit = new GroupCommit<int, int>(async group => { await Task.Yield(); await write.WriteAsync(group); }, i => i, 5);

        await Task.WhenAll(Enumerable.Range(0, 500).Select(i => Task.Run(() => commit.WriteAsync(i))));

        Assert.Equal(Enumerable.Range(0, 500), write.Written.Order());
        Assert.InRange(write.Groups.Max(g => g.Count), 1, 5);
    }

    [Fact]
    public async Task GivenItemsHandedInTogether_WhenWritten_ThenTheyShareGroupsInTheirOrder()
    {
        var write = new HeldWrite<int>(-1);
        await using var commit = new GroupCommit<int, int>(write.WriteAsync, i => i % 1000, 100);

        await commit.WriteAllAsync(Enumerable.Range(0, 250).ToList());
        await commit.WriteAllAsync([1000, 2000, 1]);

        Assert.Equal([100, 100, 50, 1, 2], write.Groups.Select(g => g.Count));
        Assert.Equal(Enumerable.Range(0, 250).Concat([1000, 2000, 1]), write.Written);
    }

    [Fact]
    public async Task GivenItemsHandedInTogether_WhenOneGroupFails_ThenTheyFailWithItAndTheRestAreStillWritten()
    {
        var write = new HeldWrite<int>(-1, group => group.Contains(150) ? new IOException("disk full") : null);
        await using var commit = new GroupCommit<int, int>(write.WriteAsync, i => i, 100);

        var error = await Assert.ThrowsAsync<IOException>(() => commit.WriteAllAsync(Enumerable.Range(0, 250).ToList()));

        Assert.Equal("disk full", error.Message);
        Assert.Equal([100, 100, 50], write.Groups.Select(g => g.Count));
    }

    [Fact]
    public async Task GivenCallersInOneGroup_WhenItsWriteFails_ThenEveryOneOfThemFailsAndNoOther()
    {
        var write = new HeldWrite<int>(0, group => group.Contains(1) ? new IOException("disk full") : null);
        await using var commit = new GroupCommit<int, int>(write.WriteAsync, i => i, 100);

        var first = commit.WriteAsync(0);
        await write.Started.Task;
        var failing = Enumerable.Range(1, 5).Select(i => commit.WriteAsync(i)).ToList();
        write.Release.SetResult();
        await first;

        foreach (var failed in failing)
            Assert.Equal("disk full", (await Assert.ThrowsAsync<IOException>(() => failed)).Message);
        await commit.WriteAsync(6);
        Assert.Equal(3, write.Groups.Count);
    }

    [Fact]
    public async Task GivenAnItemWhoseKeyIsAlreadyInTheGroup_WhenQueued_ThenItWaitsForTheNextWriteAndOrderIsKept()
    {
        var write = new HeldWrite<string>("start");
        await using var commit = new GroupCommit<string, char>(write.WriteAsync, s => s[0], 100);

        var first = commit.WriteAsync("start");
        await write.Started.Task;
        var rest = new[] { "a1", "b1", "a2", "c1" }.Select(s => commit.WriteAsync(s)).ToList();
        write.Release.SetResult();
        await first;
        await Task.WhenAll(rest);

        Assert.Equal(["a1", "b1"], write.Groups[1]);
        Assert.Equal(["a2", "c1"], write.Groups[2]);
    }

    [Fact]
    public async Task GivenAQueuedCaller_WhenCancelled_ThenItsItemIsNotWritten()
    {
        var write = new HeldWrite<int>(0);
        await using var commit = new GroupCommit<int, int>(write.WriteAsync, i => i, 100);

        var first = commit.WriteAsync(0);
        await write.Started.Task;
        using var cancel = new CancellationTokenSource();
        var cancelled = commit.WriteAsync(1, cancel.Token);
        var kept = commit.WriteAsync(2);
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        write.Release.SetResult();
        await first;
        await kept;

        Assert.Equal([0, 2], write.Written);
    }

    [Fact]
    public async Task GivenQueuedItems_WhenClosed_ThenTheyAreWrittenAndNewItemsAreRefused()
    {
        var write = new HeldWrite<int>(0);
        var commit = new GroupCommit<int, int>(write.WriteAsync, i => i, 100);

        var first = commit.WriteAsync(0);
        await write.Started.Task;
        var queued = commit.WriteAsync(1);
        var closing = commit.DisposeAsync().AsTask();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => commit.WriteAsync(2));
        write.Release.SetResult();
        await Task.WhenAll(first, queued, closing);

        Assert.Equal([0, 1], write.Written);
    }
}
