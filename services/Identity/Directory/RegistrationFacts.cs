using Chronicle.Contracts;
using Chronicle.Identity.Messaging;
using Microsoft.EntityFrameworkCore;

namespace Chronicle.Identity.Directory;

/// <summary>
/// Keeps Identity's own copy of where each patient is registered, from the Record service's integration events
/// (Identity never reads Record's database). The integration-event consumer calls <see cref="RecordRegistrationAsync"/>
/// for each registration; it is idempotent by event id.
/// <para>
/// The Record registers a patient once, and nothing in it moves a registration: so the first fact held for a patient
/// stands, and a later one naming another practice disagrees with the Record and is refused, never applied. Who is
/// registered where decides who may read the record without breaking glass, so a fact that would move a patient must
/// come as its own, checked event (a transfer), not as a second registration.
/// </para>
/// A first registration is announced through <see cref="AccessChanges"/> once committed.
/// </summary>
public sealed class RegistrationFacts(IdentityDbContext db, TimeProvider time, AccessChanges accessChanges)
{
    /// <returns>False when the event had already been applied.</returns>
    /// <exception cref="ArgumentException"><paramref name="practiceOds"/> is not an ODS code.</exception>
    /// <exception cref="RegistrationConflictException">The patient is held as registered at another practice.</exception>
    public async Task<bool> RecordRegistrationAsync(
        Guid eventId, Guid patientId, string practiceOds, long streamVersion, CancellationToken cancellationToken = default)
    {
        if (!OdsCode.TryParse(practiceOds, out var practice))
            throw new ArgumentException($"'{practiceOds}' is not an ODS code ({OdsCode.Shape}).", nameof(practiceOds));
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        if (await db.ProcessedEvents.AnyAsync(e => e.EventId == eventId, cancellationToken).ConfigureAwait(false))
            return false;

        var registration = await db.Registrations.FindAsync([patientId], cancellationToken).ConfigureAwait(false);
        // Refused before anything is tracked, so the refusal leaves nothing behind in this context.
        if (registration is not null && registration.PracticeOds != practice.Value)
            throw new RegistrationConflictException(
                $"Patient {patientId} is registered at {registration.PracticeOds}; a registration at {practice.Value} disagrees with it and is not applied.");

        var now = time.GetUtcNow();
        db.ProcessedEvents.Add(new ProcessedEvent { EventId = eventId, ProcessedAt = now });
        var first = registration is null;
        if (first)
            db.Registrations.Add(new Registration { PatientId = patientId, PracticeOds = practice.Value, StreamVersion = streamVersion, RecordedAt = now });

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

        // A first registration changes who may reach the patient (answers cached as "not registered" must go).
        if (first)
            await accessChanges.RegistrationChangedAsync(patientId, practice.Value, null, cancellationToken).ConfigureAwait(false);
        return true;
    }

    public async Task<string?> PracticeOfAsync(Guid patientId, CancellationToken cancellationToken = default) =>
        await db.Registrations.Where(r => r.PatientId == patientId).Select(r => r.PracticeOds)
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
}

/// <summary>A registration fact that disagrees with the registration Identity holds for the patient.</summary>
public sealed class RegistrationConflictException(string message) : Exception(message);
