using System.Globalization;
using System.Text;
using Chronicle.EventStore;
using Chronicle.Record.Application;
using Chronicle.Record.Domain;
using Google.Protobuf.WellKnownTypes;
using static Chronicle.Record.Domain.RecordEventsV1;
using Proto = Chronicle.Contracts.Record.V1;

namespace Chronicle.Record.Grpc;

/// <summary>Turns the record's domain values into chronicle.record.v1 replies, field for field.</summary>
internal static class ProtoReplies
{
    public static Proto.CommandReply Reply(RecordChanged changed)
    {
        var reply = new Proto.CommandReply
        {
            PatientId = changed.PatientId.ToString(),
            Version = changed.Version,
            LogPosition = Position(changed.LogPosition),
            EncounterId = changed.EncounterId?.ToString("D") ?? "",
        };
        reply.EntryIds.AddRange(changed.EntryIds.Select(id => id.ToString("D")));
        return reply;
    }

    public static Proto.PatientRecordView View(PatientRecordState state)
    {
        var view = new Proto.PatientRecordView
        {
            Patient = new Proto.Patient
            {
                PatientId = state.PatientId.ToString(),
                NhsNumber = state.NhsNumber?.Value ?? "",
                Demographics = Demographics(state.Demographics!),
                GeneralPracticeOds = state.GeneralPracticeOds ?? "",
            },
            Version = state.Version,
        };
        view.Encounters.AddRange(state.EncountersInRecordedOrder.Select(Encounter));
        view.Entries.AddRange(state.EntriesInRecordedOrder.Select(Entry));
        return view;
    }

    public static Proto.GetHistoryReply History(RecordHistoryPage page)
    {
        var reply = new Proto.GetHistoryReply { NextFromVersion = page.NextFromVersion ?? -1 };
        reply.Events.AddRange(page.Events.Select(HistoryEvent));
        return reply;
    }

    private static Proto.HistoryEvent HistoryEvent(RecordedEvent recorded) => new()
    {
        EventId = recorded.EventId.ToString("D"),
        EventType = recorded.EventType,
        Version = recorded.StreamVersion,
        LogPosition = Position(recorded.LogPosition),
        RecordedTime = Timestamp.FromDateTimeOffset(recorded.RecordedAt),
        Provenance = new Proto.Provenance
        {
            UserId = recorded.Metadata.UserId ?? "",
            Role = recorded.Metadata.Role ?? "",
            OrganisationOds = recorded.Metadata.OrganisationOds ?? "",
            OnBehalfOf = recorded.Metadata.OnBehalfOf ?? "",
            ClientId = recorded.Metadata.ClientId ?? "",
            Reason = recorded.Metadata.Reason ?? "",
            CorrelationId = recorded.Metadata.CorrelationId ?? "",
            CausationId = recorded.Metadata.CausationId ?? "",
        },
        DataJson = Encoding.UTF8.GetString(recorded.Data),
    };

    private static Proto.LogPosition Position(LogPosition position) => new() { Transaction = position.Transaction, Position = position.Position };

    private static Proto.EncounterView Encounter(EncounterRecord encounter)
    {
        var c = encounter.Consultation;
        return new Proto.EncounterView
        {
            EncounterId = c.EncounterId.ToString("D"),
            Start = Timestamp.FromDateTimeOffset(c.Start),
            End = c.End is { } end ? Timestamp.FromDateTimeOffset(end) : null,
            Practitioner = new Proto.Practitioner { Id = c.Clinician.Id, Name = c.Clinician.Name, Role = c.Clinician.Role ?? "" },
            ServiceProviderOds = c.PracticeOds,
            Mode = c.Mode,
            Reason = Coding(c.Reason),
            EnteredInError = encounter.EnteredInError,
            EnteredInErrorReason = encounter.EnteredInErrorReason ?? "",
        };
    }

    private static Proto.RecordEntry Entry(RecordEntry entry)
    {
        var view = new Proto.RecordEntry
        {
            EntryId = entry.EntryId.ToString("D"),
            EncounterId = entry.EncounterId.ToString("D"),
            EnteredInError = entry.EnteredInError,
            EnteredInErrorReason = entry.EnteredInErrorReason ?? "",
            RecordedVersion = entry.RecordedVersion,
        };
        switch (entry.Recorded)
        {
            case ProblemAdded p:
                view.Problem = new Proto.Problem
                {
                    Code = Coding(p.Code),
                    OnsetDate = Date(p.Onset),
                    ClinicalStatus = entry.ClinicalStatus ?? p.ClinicalStatus,
                    AbatementDate = Date(entry.Resolved),
                };
                break;
            case ObservationRecorded o:
                view.Observation = new Proto.Observation
                {
                    Code = Coding(o.Code),
                    Effective = Timestamp.FromDateTimeOffset(o.Effective),
                    Value = Quantity(o.Value),
                };
                view.Observation.Components.AddRange(o.Components.Select(c => new Proto.ObservationComponent
                {
                    Code = Coding(c.Code),
                    Value = Quantity(c.Value),
                }));
                break;
            case AllergyRecorded a:
                view.Allergy = new Proto.AllergyIntolerance
                {
                    Substance = Coding(a.Substance),
                    Reaction = Coding(a.Reaction),
                    Severity = a.Severity ?? "",
                    Criticality = a.Criticality,
                    OnsetDate = Date(a.Onset),
                };
                break;
            case MedicationRecorded m:
                view.MedicationStatement = new Proto.MedicationStatement
                {
                    Medication = Coding(m.Medication),
                    Dosage = m.Dosage ?? "",
                    EffectiveDate = Date(m.Started),
                };
                break;
            case ImmunisationGiven i:
                view.Immunisation = new Proto.Immunization
                {
                    Vaccine = Coding(i.Vaccine),
                    OccurrenceDate = Date(i.Occurrence),
                    LotNumber = i.LotNumber ?? "",
                };
                break;
            case ReferralMade r:
                view.Referral = new Proto.Referral
                {
                    Service = Coding(r.Service),
                    Reason = Coding(r.Reason),
                    Priority = r.Priority,
                    Recipient = r.Recipient ?? "",
                };
                break;
            case NoteWritten n:
                view.Note = new Proto.Note { Text = n.Text };
                break;
            case FamilyHistoryRecorded f:
                view.FamilyHistory = new Proto.FamilyHistory { Relationship = f.Relationship, Condition = Coding(f.Condition), Note = f.Note ?? "" };
                if (f.OnsetAge is { } age)
                    view.FamilyHistory.OnsetAge = age;
                break;
            case IDeclaredEntry d:
                view.Recorded = new Proto.RecordedEntry { Kind = DeclaredEntryKinds.NameOf(d), Json = DeclaredEntryKinds.Write(d) };
                break;
        }

        return view;
    }

    private static Proto.Demographics Demographics(Demographics demographics)
    {
        var name = new Proto.HumanName { Family = demographics.Name.Family, Prefix = demographics.Name.Prefix ?? "" };
        name.Given.AddRange(demographics.Name.Given);
        var proto = new Proto.Demographics
        {
            Name = name,
            BirthDate = Date(demographics.BirthDate),
            Gender = demographics.Gender,
            Address = Address(demographics.Address),
        };
        proto.Telecom.AddRange(demographics.Telecom.Select(t => new Proto.ContactPoint { System = t.System, Value = t.Value, Use = t.Use ?? "" }));
        return proto;
    }

    private static Proto.Address? Address(PostalAddress? address)
    {
        if (address is null)
            return null;
        var proto = new Proto.Address
        {
            City = address.City ?? "",
            District = address.District ?? "",
            PostalCode = address.PostalCode ?? "",
            Country = address.Country ?? "",
        };
        proto.Line.AddRange(address.Lines);
        return proto;
    }

    private static Proto.Coding? Coding(Coding? coding) =>
        coding is null ? null : new Proto.Coding { System = coding.System, Code = coding.Code, Display = coding.Display ?? "" };

    private static Proto.Quantity? Quantity(Quantity? quantity) => quantity is null
        ? null
        : new Proto.Quantity { Value = quantity.Value.ToString(CultureInfo.InvariantCulture), Unit = quantity.Unit };

    private static string Date(DateOnly? date) => date is { } d ? RecordRules.Iso(d) : "";
}
