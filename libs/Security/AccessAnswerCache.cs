using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Primitives;

namespace Chronicle.Security;

/// <summary>
/// Identity's legitimate-relationship answers, reused for the lifetime Identity gives them, and dropped as soon as
/// Identity announces a change that touches them (<see cref="AccessChangeSubscriptions"/>): every answer about a
/// patient whose registration changed, every answer given to a module a practice enabled or disabled.
/// Each answer is tied to a drop signal for its patient and one for its client, taken before Identity is asked: a
/// change announced while the question is in flight drops the answer as it is stored, so no answer older than the
/// change survives it. Signals are shared by stripes of patients and of clients, so their number stays fixed however
/// many patients are seen; a drop also drops the answers of the few others in its stripe, which are simply asked again.
/// </summary>
public sealed class AccessAnswerCache(IMemoryCache cache)
{
    private const int Stripes = 1024;
    private readonly CancellationTokenSource?[] _signals = new CancellationTokenSource?[Stripes];

    /// <summary>What a question needs to store its answer: its key, and the drop signals as they were when it was asked.</summary>
    public sealed class Question
    {
        internal Question(object key, IChangeToken[] signals)
        {
            Key = key;
            Signals = signals;
        }

        internal object Key { get; }
        internal IChangeToken[] Signals { get; }
    }

    public bool TryGet(object key, out PatientAccessOutcome outcome) => cache.TryGetValue(key, out outcome);

    /// <summary>Takes the drop signals of <paramref name="patientId"/> and <paramref name="clientId"/>; call before asking Identity.</summary>
    public Question Ask(object key, string patientId, string? clientId) =>
        new(key, clientId is null ? [Signal(PatientKey(patientId))] : [Signal(PatientKey(patientId)), Signal(ClientKey(clientId))]);

    public void Store(Question question, PatientAccessOutcome outcome, TimeSpan lifetime)
    {
        ArgumentNullException.ThrowIfNull(question);
        var options = new MemoryCacheEntryOptions { AbsoluteExpirationRelativeToNow = lifetime };
        foreach (var signal in question.Signals)
            options.ExpirationTokens.Add(signal);
        cache.Set(question.Key, outcome, options);
    }

    /// <summary>Drops every answer about <paramref name="patientId"/>.</summary>
    public void DropPatient(Guid patientId) => Drop(PatientKey(patientId.ToString()));

    /// <summary>Drops every answer given to the client <paramref name="clientId"/>, whoever it acted for.</summary>
    public void DropClient(string clientId) => Drop(ClientKey(clientId));

    private static string PatientKey(string patientId) =>
        "patient:" + (Guid.TryParse(patientId, out var id) ? id.ToString() : patientId);

    private static string ClientKey(string clientId) => "client:" + clientId;

    private static int StripeOf(string key) => (int)((uint)StringComparer.Ordinal.GetHashCode(key) % Stripes);

    private CancellationChangeToken Signal(string key)
    {
        ref var slot = ref _signals[StripeOf(key)];
        var source = Volatile.Read(ref slot);
        if (source is null)
        {
            var created = new CancellationTokenSource();
            source = Interlocked.CompareExchange(ref slot, created, null) ?? created;
        }

        return new CancellationChangeToken(source.Token);
    }

    private void Drop(string key)
    {
        // A fresh signal first, then the old one fires: a question asked from now on waits on the fresh one.
        var old = Interlocked.Exchange(ref _signals[StripeOf(key)], new CancellationTokenSource());
        old?.Cancel();
    }
}
