using Chronicle.Contracts;
using Chronicle.Identity.Messaging;
using Microsoft.EntityFrameworkCore;

namespace Chronicle.Identity.Directory;

/// <summary>
/// Keeps Identity's own copy of where each patient is registered, from the Record service's integration events
/// (Identity never reads Record's database). The integration-event consumer calls <see cref="RecordRegistrationAsync"/>
/// for each registration or transfer; it is idempotent by event id and ignores facts older than the one it holds.
/// </summary>
/// A fact that moves the patient (or registers them first) is announced through <see cref="AccessChanges"/> once committed.
public sealed class RegistrationFacts(IdentityDbContext db, TimeProvider time, AccessChanges accessChanges)
{
    /// <returns>False when the event had already been applied.</returns>
    /// <exception cref="ArgumentException"><paramref name="practiceOds"/> is not an ODS code.</exception>
    public async Task<bool> RecordRegistrationAsync(
        Guid eventId, Guid patientId, string practiceOds, long streamVersion, CancellationToken cancellationToken = default)
    {
        if (!OdsCode.TryParse(practiceOds, out var practice))
            throw new ArgumentException($"'{practiceOds}' is not an ODS code ({OdsCode.Shape}).", nameof(practiceOds));
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        if (await db.ProcessedEvents.AnyAsync(e => e.EventId == eventId, cancellationToken).ConfigureAwait(false))
            return false;

        var now = time.GetUtcNow();
        db.ProcessedEvents.Add(new ProcessedEvent { EventId = eventId, ProcessedAt = now });
        var registration = await db.Registrations.FindAsync([patientId], cancellationToken).ConfigureAwait(false);
        var previous = registration?.PracticeOds;
        var moved = registration is null;
        if (registration is null)
        {
            db.Registrations.Add(new Registration { PatientId = patientId, PracticeOds = practice.Value, StreamVersion = streamVersion, RecordedAt = now });
        }
        else if (streamVersion >= registration.StreamVersion)
        {
            moved = registration.PracticeOds != practice.Value;
            registration.PracticeOds = practice.Value;
            registration.StreamVersion = streamVersion;
            registration.RecordedAt = now;
        }

        try
        {
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (DbUpdateException)
        {
            await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
            db.ChangeTracker.Clear();
            // The same event delivered twice at once: the other delivery applied it.
            if (await db.ProcessedEvents.AnyAsync(e => e.EventId == eventId, cancellationToken).ConfigureAwait(false))
                return false;
            throw;
        }

        if (moved)
            await accessChanges.RegistrationChangedAsync(patientId, practice.Value, previous, cancellationToken).ConfigureAwait(false);
        return true;
    }

    public async Task<string?> PracticeOfAsync(Guid patientId, CancellationToken cancellationToken = default) =>
        await db.Registrations.Where(r => r.PatientId == patientId).Select(r => r.PracticeOds)
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
}
