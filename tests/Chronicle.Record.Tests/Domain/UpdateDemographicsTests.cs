using Chronicle.Record.Domain;
using static Chronicle.Record.Domain.RecordEventsV1;
using static Chronicle.Record.Tests.Domain.Examples;

namespace Chronicle.Record.Tests.Domain;

public class UpdateDemographicsTests
{
    [Fact]
    public void GivenRegisteredPatient_WhenDemographicsUpdated_ThenDemographicsUpdated() =>
        RecordSpec.Given(Registered())
            .When(new UpdateDemographics(Patient, Demographics(family: "Jones")))
            .Then(new DemographicsUpdated(Patient.Value, Demographics(family: "Jones")));

    [Fact]
    public void GivenNoRecord_WhenDemographicsUpdated_ThenPatientNotFound() =>
        RecordSpec.Given().When(new UpdateDemographics(Patient, Demographics())).ThenFails<PatientNotFoundException>();

    [Fact]
    public void GivenRegisteredPatient_WhenUpdatedWithFutureBirthDate_ThenRejected() =>
        RecordSpec.Given(Registered())
            .When(new UpdateDemographics(Patient, Demographics(birthDate: new DateOnly(2030, 1, 1))))
            .ThenRejects("demographics.birth_date", "in the future");
}
