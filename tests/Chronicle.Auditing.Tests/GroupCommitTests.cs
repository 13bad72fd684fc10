namespace Chronicle.Auditing.Tests;

/// <summary>
/// The flat-combining group writer behind the audit trail and the audit chain: no caller is answered before its item is
/// written, callers waiting together share one write, a failed write fails exactly its group, and order is kept.
/// </summary>
public sealed class GroupCommitTests
{
    [Fact]
    public async Task A_lone_caller_writes_its_own_item_once()
    {
        var writes = new List<IReadOnlyList<int>>();
        await using var commit = new GroupCommit<int, int>(batch => { writes.Add(batch); return Task.CompletedTask; }, i => i, 10);

        await commit.WriteAsync(7);

        Assert.Equal([7], Assert.Single(writes));
    }

    [Fact]
    public async Task Callers_that_wait_behind_a_write_share_the_next_one_in_arrival_order()
    {
        var firstStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var releaseFirst = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var writes = new List<IReadOnlyList<int>>();
        await using var commit = new GroupCommit<int, int>(async batch =>
        {
            lock (writes)
                writes.Add(batch);
            if (batch.Contains(0))
            {
                firstStarted.SetResult();
                await releaseFirst.Task;
            }
        }, i => i, 100);

        var first = commit.WriteAsync(0);
        await firstStarted.Task;
        var waiting = Enumerable.Range(1, 20).Select(i => commit.WriteAsync(i)).ToList();
        Assert.All(waiting, w => Assert.False(w.IsCompleted));

        releaseFirst.SetResult();
        await first;
        await Task.WhenAll(waiting);

        Assert.Equal(2, writes.Count);
        Assert.Equal([0], writes[0]);
        Assert.Equal(Enumerable.Range(1, 20), writes[1]);
    }

    [Fact]
    public async Task A_group_never_exceeds_the_batch_size_and_every_item_is_written_once()
    {
        var written = new List<int>();
        var largest = 0;
        await using var commit = new GroupCommit<int, int>(async batch =>
        {
            await Task.Yield();
            lock (written)
            {
                written.AddRange(batch);
                largest = Math.Max(largest, batch.Count);
            }
        }, i => i, 5);

        await Task.WhenAll(Enumerable.Range(0, 500).Select(i => Task.Run(() => commit.WriteAsync(i))));

        Assert.Equal(Enumerable.Range(0, 500), written.Order());
        Assert.InRange(largest, 1, 5);
    }

    [Fact]
    public async Task A_failed_write_fails_every_caller_in_its_group_and_no_other()
    {
        var releaseFirst = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var firstStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = 0;
        await using var commit = new GroupCommit<int, int>(async batch =>
        {
            var call = Interlocked.Increment(ref calls);
            if (call == 1)
            {
                firstStarted.SetResult();
                await releaseFirst.Task;
            }
            else if (call == 2)
                throw new IOException("disk full");
        }, i => i, 100);

        var first = commit.WriteAsync(0);
        await firstStarted.Task;
        var failing = Enumerable.Range(1, 5).Select(i => commit.WriteAsync(i)).ToList();
        releaseFirst.SetResult();
        await first;

        foreach (var write in failing)
            Assert.Equal("disk full", (await Assert.ThrowsAsync<IOException>(() => write)).Message);
        await commit.WriteAsync(6);
        Assert.Equal(3, calls);
    }

    [Fact]
    public async Task An_item_whose_key_is_already_in_the_group_waits_for_the_next_write_and_order_is_kept()
    {
        var releaseFirst = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var firstStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var writes = new List<IReadOnlyList<string>>();
        await using var commit = new GroupCommit<string, char>(async batch =>
        {
            lock (writes)
                writes.Add(batch);
            if (batch.Contains("start"))
            {
                firstStarted.SetResult();
                await releaseFirst.Task;
            }
        }, s => s[0], 100);

        var first = commit.WriteAsync("start");
        await firstStarted.Task;
        var rest = new[] { "a1", "b1", "a2", "c1" }.Select(s => commit.WriteAsync(s)).ToList();
        releaseFirst.SetResult();
        await first;
        await Task.WhenAll(rest);

        Assert.Equal(["a1", "b1"], writes[1]);
        Assert.Equal(["a2", "c1"], writes[2]);
    }

    [Fact]
    public async Task A_caller_cancelled_while_queued_is_not_written()
    {
        var releaseFirst = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var firstStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var written = new List<int>();
        await using var commit = new GroupCommit<int, int>(async batch =>
        {
            lock (written)
                written.AddRange(batch);
            if (batch.Contains(0))
            {
                firstStarted.SetResult();
                await releaseFirst.Task;
            }
        }, i => i, 100);

        var first = commit.WriteAsync(0);
        await firstStarted.Task;
        using var cancel = new CancellationTokenSource();
        var cancelled = commit.WriteAsync(1, cancel.Token);
        var kept = commit.WriteAsync(2);
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        releaseFirst.SetResult();
        await first;
        await kept;

        Assert.Equal([0, 2], written);
    }

    [Fact]
    public async Task Closing_writes_what_is_queued_and_refuses_new_items()
    {
        var releaseFirst = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var firstStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var written = new List<int>();
        var commit = new GroupCommit<int, int>(async batch =>
        {
            lock (written)
                written.AddRange(batch);
            if (batch.Contains(0))
            {
                firstStarted.SetResult();
                await releaseFirst.Task;
            }
        }, i => i, 100);

        var first = commit.WriteAsync(0);
        await firstStarted.Task;
        var queued = commit.WriteAsync(1);
        var closing = commit.DisposeAsync().AsTask();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => commit.WriteAsync(2));
        releaseFirst.SetResult();
        await Task.WhenAll(first, queued, closing);

        Assert.Equal([0, 1], written);
    }
}
