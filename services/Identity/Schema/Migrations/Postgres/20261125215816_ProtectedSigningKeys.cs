using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Chronicle.Identity.Schema.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class ProtectedSigningKeys : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "Protected",
                table: "signing_keys",
                type: "boolean",
                nullable: false,
                defaultValue: false);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "Protected",
                table: "signing_keys");
        }
    }
}
