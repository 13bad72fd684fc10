using System.Collections.Concurrent;
using Chronicle.Identity.Hosting;
using Microsoft.Extensions.Options;

namespace Chronicle.Identity.SignIn;

/// <summary>
/// What each client address has been doing at the login form, so that lockout cannot be used to deny service.
/// An account locked by failures (the per-account rule, <see cref="PasswordSignIn"/>) stays locked only for the addresses
/// that failed against it during the lockout: its owner, signing in from an address that has not been failing, still
/// gets in with the right password. What keeps an attacker from simply guessing on is per-address throttling: after
/// <see cref="IdentityServiceOptions.SignInFailuresBeforeDelay"/> failures, an address must wait before it is heard
/// again, twice as long after each further failure (up to <see cref="IdentityServiceOptions.SignInMaxDelay"/>), whatever
/// account it names. Kept in memory: a restart forgets it, the account locks in the database do not.
/// </summary>
public sealed class SignInThrottle(TimeProvider time, IOptions<IdentityServiceOptions> options)
{
    private const int PruneAbove = 10_000;

    private readonly ConcurrentDictionary<string, Failures> _bySource = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(Guid Account, string Source), DateTimeOffset> _failedAgainst = new();

    private sealed record Failures(int Count, DateTimeOffset Last);

    /// <summary>Whether the address is still waiting out its delay; its attempts are not heard until then.</summary>
    public bool MustWait(string source)
    {
        var now = time.GetUtcNow();
        return _bySource.TryGetValue(source, out var failures) && Current(failures, now) is { } current && now < current.Last + DelayAfter(current.Count);
    }

    /// <summary>Whether the address failed to sign in to the account during the last lockout period.</summary>
    public bool HasFailedAgainst(Guid accountId, string source) =>
        _failedAgainst.TryGetValue((accountId, source), out var last) && time.GetUtcNow() < last + options.Value.LockoutDuration;

    public void RecordFailure(string source, Guid? accountId)
    {
        var now = time.GetUtcNow();
        _bySource.AddOrUpdate(source, _ => new Failures(1, now), (_, failures) => new Failures((Current(failures, now)?.Count ?? 0) + 1, now));
        if (accountId is { } id)
            _failedAgainst[(id, source)] = now;
        if (_bySource.Count > PruneAbove || _failedAgainst.Count > PruneAbove)
            Prune(now);
    }

    /// <summary>The address proved it knows a password: its failures are forgiven.</summary>
    public void RecordSuccess(string source, Guid accountId)
    {
        _bySource.TryRemove(source, out _);
        _failedAgainst.TryRemove((accountId, source), out _);
    }

    /// <summary>Failures are forgotten after a quiet lockout period.</summary>
    private Failures? Current(Failures failures, DateTimeOffset now) => now < failures.Last + options.Value.LockoutDuration ? failures : null;

    private TimeSpan DelayAfter(int failures)
    {
        var settings = options.Value;
        var beyond = failures - settings.SignInFailuresBeforeDelay;
        if (beyond <= 0)
            return TimeSpan.Zero;
        var delay = settings.SignInFirstDelay * Math.Pow(2, Math.Min(beyond - 1, 30));
        return delay < settings.SignInMaxDelay ? delay : settings.SignInMaxDelay;
    }

    private void Prune(DateTimeOffset now)
    {
        foreach (var (source, failures) in _bySource)
        {
            if (Current(failures, now) is null)
                _bySource.TryRemove(KeyValuePair.Create(source, failures));
        }

        foreach (var (key, last) in _failedAgainst)
        {
            if (now >= last + options.Value.LockoutDuration)
                _failedAgainst.TryRemove(KeyValuePair.Create(key, last));
        }
    }
}
