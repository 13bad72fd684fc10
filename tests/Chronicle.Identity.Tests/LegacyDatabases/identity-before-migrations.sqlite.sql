-- An Identity database made by the last release before schema migrations (EnsureCreated), with --demo, after a client
-- credentials token and a sign-in with refresh. Test data only: these keys and secrets protect nothing real.
PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE IF NOT EXISTS "OpenIddictApplications" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_OpenIddictApplications" PRIMARY KEY,
    "ApplicationType" TEXT NULL,
    "ClientId" TEXT NULL,
    "ClientSecret" TEXT NULL,
    "ClientType" TEXT NULL,
    "ConcurrencyToken" TEXT NULL,
    "ConsentType" TEXT NULL,
    "DisplayName" TEXT NULL,
    "DisplayNames" TEXT NULL,
    "JsonWebKeySet" TEXT NULL,
    "Permissions" TEXT NULL,
    "PostLogoutRedirectUris" TEXT NULL,
    "Properties" TEXT NULL,
    "RedirectUris" TEXT NULL,
    "Requirements" TEXT NULL,
    "Settings" TEXT NULL
);
INSERT INTO OpenIddictApplications VALUES('42f50855-620a-4037-a5b2-309279645367',NULL,'demo-module','AQAAAAEAACcQAAAAEF9kOJZdnlyRzBRu0h9n7kkUOWEBiroFuoe6dQkD1QwXtUSO98roaptUJAZTdh4Rsw==','confidential','9ffb6ea9-9489-440a-948e-dc563478f390',NULL,'Demo online consultation module',NULL,NULL,'["ept:token","gt:client_credentials"]',NULL,NULL,NULL,NULL,NULL);
INSERT INTO OpenIddictApplications VALUES('564ef647-5fab-4554-9949-f4d1354018b2',NULL,'chronicle-partner-ui',NULL,'public','5bdd8bde-e4ab-494b-a39e-0ce082a24ee5',NULL,'Chronicle partner UI (demo)',NULL,NULL,'["ept:authorization","ept:token","gt:authorization_code","gt:refresh_token","rst:code"]',NULL,NULL,'["http://127.0.0.1:5400/callback","http://localhost:5400/callback"]','["ft:pkce"]',NULL);
CREATE TABLE IF NOT EXISTS "OpenIddictScopes" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_OpenIddictScopes" PRIMARY KEY,
    "ConcurrencyToken" TEXT NULL,
    "Description" TEXT NULL,
    "Descriptions" TEXT NULL,
    "DisplayName" TEXT NULL,
    "DisplayNames" TEXT NULL,
    "Name" TEXT NULL,
    "Properties" TEXT NULL,
    "Resources" TEXT NULL
);
CREATE TABLE IF NOT EXISTS "practices" (
    "OdsCode" TEXT NOT NULL CONSTRAINT "PK_practices" PRIMARY KEY,
    "Name" TEXT NOT NULL
);
INSERT INTO practices VALUES('A81001','Riverside Medical Practice');
INSERT INTO practices VALUES('A81002','Hillview Surgery');
CREATE TABLE IF NOT EXISTS "processed_events" (
    "EventId" TEXT NOT NULL CONSTRAINT "PK_processed_events" PRIMARY KEY,
    "ProcessedAt" INTEGER NOT NULL
);
INSERT INTO processed_events VALUES('0196F1C0-0000-7000-8000-0000000000E1',639312397114419277);
CREATE TABLE IF NOT EXISTS "registrations" (
    "PatientId" TEXT NOT NULL CONSTRAINT "PK_registrations" PRIMARY KEY,
    "PracticeOds" TEXT NOT NULL,
    "StreamVersion" INTEGER NOT NULL,
    "RecordedAt" INTEGER NOT NULL
);
INSERT INTO registrations VALUES('0196F1C0-0000-7000-8000-000000000001','A81001',0,639312397114419277);
CREATE TABLE IF NOT EXISTS "signing_keys" (
    "KeyId" TEXT NOT NULL CONSTRAINT "PK_signing_keys" PRIMARY KEY,
    "Use" TEXT NOT NULL,
    "KeyMaterial" BLOB NOT NULL,
    "CreatedAt" INTEGER NOT NULL,
    "ActivatedAt" INTEGER NULL,
    "RetiredAt" INTEGER NULL
);
INSERT INTO signing_keys VALUES('ahl81i1UPD5t9FLw','enc',X'd4a8f9baf3e73057faf641e273539c519c8af79a47943314b505df9b8ba82879',639312397102099702,NULL,NULL);
INSERT INTO signing_keys VALUES('lxkKrKQFRmfrILVq','sig',X'308204bd020100300d06092a864886f70d0101010500048204a7308204a30201000282010100d21f8d4fabdaece01fb205e22a6254a439f80338fb282c2d67da7bc854f0e9221ade8a550a68c94c73d0c7bb4ffc4902f87bedb9a86cb7b896013cc762957d814a5541ba060fd9b6785fc2768af823cbec07987dba0165e31d0370aaafb210c0b144e1508fbdd79e1db7df019e1fffe48b34b9881594d25c73decd62e158df2eddfed4db405c02aed6d231bcf1315dfea650ba67d05d8ad538deece29b102855e2968e7ac59850f2f9865f2b28cd1cbb545dc6b0444974bc9dd798ac1cf7e18f978182da1aaa21ce00542db07824d58e858b2e607864e7da61da7889c4f00529c902cf5345deb61f0b7d17f61afbe25805870c4138a1bbd8c8d090f2abdef25d02030100010282010008ffa8ec4739324e76e25ce0ceb28a056e7b71f28d6f045552ce9c8bd1221ac48724b8afe3a8e680b65a5e9e1052dc48459ea913a66436df5a2d3b63c93e605d9a72aeef3f35e13bb09eb3e94d124b6b7ef439a79e1653e80cba0a5285010f3946b38dcd5c1a8e92b59b1b9b2a211cb30b9dcfc445885614a231b72cb63c8ec7931b3aab9acc1a438f5f78482b8d4cd35caaa198bcfe963dd3653006cb2c1bf156027b752c777fe646ec8b09c6364816051f45d760d332355200cc39dca014640b7c086dd554edefa61197f05d4fb64f1d400ecd6e96873b2db500a789a983c426ea2498c1fb649ef130a8db7aee19746547f5815d3ab443c1247dfcf6cf6f0102818100fd86c84c7737b843f1443ad4455e742bba259f87709e1cee2ca9942160c2944b7bc81df76a4b340c5f67c4e09cd454643c76befd34954ea2a2dec3ae2f8a009b1414feb54fbc7a69a8016f892f81278fc02f2e3affe061a27854c9bd2223def0b57554d610831a5f69ab4ea405a3970c34c695b488c926957d63ed36722c4ff102818100d42c5d2c6302fe3213208ad367578fa58baad676f0c64f37c5c2f5a3deb48ba3948ce06e33d623cadc055ef98f01d0d36540e06b4ef3b85b82fce29d0b4a848426fd3f048692633c17062f711c9b90ea22f4fcd9367bf7879b2f7c479eee6fa5ebb25f58f9a18afef337643ee3378b672c2c916d6cf391259d209677ce08352d0281802131f5a5f57229415424cfe31d5619b5e400ab1babc6381983658cccb603a43121faf8d97d646d633556bbf380f5583b6ba34cac90a7000dd16f83859a19e2ac6b7bb841fb37bd7b7a10fe0ea356b0dc649888e016c2c565e5858c88a420b83f223343b167a612dced540dcef2221253f9d10aa701c5fcb4541fb25e8fa277b10281802c7d38f44bb69ef2850c37cfe84575fb7273da108aa02a9039498e1454686b375bb8c67e9523fbd1579d50b2e787abf007b538d9876e9763a8edb9ded03549e02404ca27fac7cb431858d5add41fd29d25c355197ed133b01d9c31651b3047fcf4952c650dc30fd031d3959392355d67bedd8188fe657c33f4e496687cad3fe902818100c20445d6c09e6c3221807746ddf298023442961cbab8fb73f4ad7eef410dcb9b1bc8fa4b4daf5076c8c1368cabe135f24d05ccb674b71912f591176f4a3fe73d4e926eb1c70ba6ce7167c4ee7d67cb006e9080727432482ea5074cff91e672646bc4ae5f51cec503fbc8ee05414bc0960b86d3dc780da9cca45069be6acfaccc',639312397102099702,NULL,NULL);
INSERT INTO signing_keys VALUES('xuaUsAlLsyGmCQPJ','sig',X'308204be020100300d06092a864886f70d0101010500048204a8308204a40201000282010100b601eb22d4e9050fe6fdd3c85db7e70c452181eae97b6368975f4f4825845f2d54ad1c62ddccd9322c1edca3b0f262978b26cdf071e26a13452f0cd1c18d8c7bc7d07d8d1da3efd58ea5d68bdbe415d7e74e33ffb92085d097ec671fa28672b1121ff6982dfa07fdf2854eee1002bb852a4e048115921472ae39c51e7807828df17008b43eba051f14b206d45c2f8be7ff8143c08ba3de6070c86d1abbc1b3ced5d579cdfa64d9d0caf80a21f76d224455c23b06b14d054211735dfa848057cb4cb957c398b8ff4da95bc8434b0f1b97711fbddce05d923cfb66e9a4f745e7ba5a95b9cf51878fb83243fc0c74676d5e9663878f68eec8f8e4ce04fff987288f020301000102820100045fc16de1de03c02116028bf32ca341d93b77ead457a1c8f6b254ae703061352eaec65adde7b9648a48e7968b7f17bd7a9ba121612b46cf55bf4eb88fc53e160f7444402af130a75a394411b26425de3d71d4b0159be17b64db4a93290dc01ddf48a35d7ee55e61ccfd452b55792b5684f0c10cf51ec09d0cf0d87ae5f9903a9c995ac158d101b89141256fd122b31ae2cf2b9f6463b6ae7b535d23b8195a14931d23813c0416d87ff73f8b130d3abf59e303625f89c63badf82318a3ca529f075d84233ca63779975c34693916bb745826c7cb2e7ce4534457fecea7901b44bc29bb2c13de299d49f9451bc54e66367788d7dc380379584face2aef7bb7b1102818100f4511dd068e2bfdad2830948c2a5ee077e0b082752c7712802ebb9f2a34dbc693097c3e363f679b47b128ef5126feb3ba52f5abf9f04993869073573299df7248a32b879f080cd54ccc264214f3945db6198f35b94f3042b9b56769f3b33fd5ae52b39660042f0f866d8a4a3c59e6c5a3e02faa209bff947c6b69fbd508bcdf702818100beb6059852f0607ae037faf35e9d3eb23222212cf7fd92bc3f669ed35fa242d3d0d92918aa0bbc7ffac43d853828f8863ad5f5fec0fd340ce034124c0be5661ee0fea8447d8f7575119ecac9ce54da45f5565cf5a093386236161d1887722a9a10ba6aa9839dc6a91b22ac3f7e287e31bc20487cea344784bdac62d89ddb34290281801a08369c0940f7de5205e24c5d691eb6afa86f42f96004df95881675130f6a5eeeed8cd2c2c8f568d4a042993c50ae88d96df5466ba42acb46ed9cb55b9ed8418d742011e61d634380d9c99f7ef88447fedb343af2e0fdf5c3846ff9416ea5b534abe95ec3f25e08a9b4b5be39854ad846b93c895d6e961a1ec340bc0444113b02818100838727feb11ce57d794c42803c7db872cf8ea850ca4c113a5183a60063d195c35e23976b5243bbe28c0171e8821e07a113cce2d6ab253613b74152692e3f2d1a18d4a91a6b7a5868c0194304c18fd5e62fd93b4d904c58b3ab57bf035ecec740f04e91278e056fb0cb6d335caad6a48a0a943d4a2180a2de92ade4923ef4a25902818100e400cd3b22fc3fb83961db9565977f81eb87360668815cd3e577755173c82d2c8ae448d1040d13a822756ad21c55af11dee3f8177d22e5c825cca8f8eb36ac0634ed20b2c1c8bde66e35cc49273660cf99f8d083e7d51561b0b99f06d107f6805c61df623ff1eeab041d776ac115053cc00bc7fef1b3878fb94da5e1ebf4e4f9',639312397102099702,639312397102099702,NULL);
CREATE TABLE IF NOT EXISTS "supplier_modules" (
    "ClientId" TEXT NOT NULL CONSTRAINT "PK_supplier_modules" PRIMARY KEY,
    "Name" TEXT NOT NULL,
    "AllowedScopes" TEXT NOT NULL,
    "RegisteredAt" INTEGER NOT NULL
);
INSERT INTO supplier_modules VALUES('demo-module','Demo online consultation module','system/*.rs',639312397114074191);
CREATE TABLE IF NOT EXISTS "OpenIddictAuthorizations" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_OpenIddictAuthorizations" PRIMARY KEY,
    "ApplicationId" TEXT NULL,
    "ConcurrencyToken" TEXT NULL,
    "CreationDate" TEXT NULL,
    "Properties" TEXT NULL,
    "Scopes" TEXT NULL,
    "Status" TEXT NULL,
    "Subject" TEXT NULL,
    "Type" TEXT NULL,
    CONSTRAINT "FK_OpenIddictAuthorizations_OpenIddictApplications_ApplicationId" FOREIGN KEY ("ApplicationId") REFERENCES "OpenIddictApplications" ("Id")
);
INSERT INTO OpenIddictAuthorizations VALUES('2a2d5025-a3e9-4aa6-8d3a-2afd0ed01941','564ef647-5fab-4554-9949-f4d1354018b2','a844fe99-8dc6-49e5-acee-718d7a930c24','2026-11-25 21:41:58.1327993',NULL,'["openid","offline_access","user/Patient.rs"]','valid','01a214a8-688d-7453-b80a-66bb2ee23cf7','ad-hoc');
CREATE TABLE IF NOT EXISTS "accounts" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_accounts" PRIMARY KEY,
    "UserName" TEXT NOT NULL,
    "DisplayName" TEXT NOT NULL,
    "PasswordHash" TEXT NOT NULL,
    "FailedSignIns" INTEGER NOT NULL,
    "LockedOutUntil" INTEGER NULL,
    "kind" TEXT NOT NULL,
    "PatientId" TEXT NULL,
    "Role" TEXT NULL,
    "PracticeOds" TEXT NULL,
    CONSTRAINT "FK_accounts_practices_PracticeOds" FOREIGN KEY ("PracticeOds") REFERENCES "practices" ("OdsCode") ON DELETE RESTRICT
);
INSERT INTO accounts VALUES('01A214A8-688D-7453-B80A-66BB2EE23CF7','gp.a81001','Demo gp','AQAAAAIAAYagAAAAEF5CJtHzPET6gYd49PS+vovl53qaoLv7asCk6tACcaF8M26QLLaeM593kYKplUqn7w==',0,NULL,'staff',NULL,'gp','A81001');
INSERT INTO accounts VALUES('01A214A8-68D4-7265-8D90-DDA2C8426655','nurse.a81001','Demo nurse','AQAAAAIAAYagAAAAELIfzVxsU56xKkraADn8oub/utHqzsJQ+IARINU2aNoxXk5H6aTUGBMaMkUpDIHPgA==',0,NULL,'staff',NULL,'nurse','A81001');
INSERT INTO accounts VALUES('01A214A8-6905-7EC7-A66D-F2F40221BD1C','receptionist.a81001','Demo receptionist','AQAAAAIAAYagAAAAEAofVGusTza1/2JTDui60FsLsfBFsGN98oOp2kDiFacYJvbSYR6N3Q8TjAHo9VwPJw==',0,NULL,'staff',NULL,'receptionist','A81001');
INSERT INTO accounts VALUES('01A214A8-692E-7473-BFEB-D8E23F2D19EE','prescriber.a81001','Demo prescriber','AQAAAAIAAYagAAAAEJaVQfa3S3dvo2gJtCGQWYe4qstdRrM5GIprZDc5Mvbj1MMt4odWnFqCJsBf0W/Xcg==',0,NULL,'staff',NULL,'prescriber','A81001');
INSERT INTO accounts VALUES('01A214A8-695F-76D7-92F2-BC92184A78F5','practice-manager.a81001','Demo practice-manager','AQAAAAIAAYagAAAAEDJm7xP+4sCKSlsoVusydorTbzkxqvpLFHVZbGOhbi94Reea8KSCMR/Jlm+mbOoYFg==',0,NULL,'staff',NULL,'practice-manager','A81001');
INSERT INTO accounts VALUES('01A214A8-6987-7BF6-AF63-B9C3E9D35C2B','auditor.a81001','Demo auditor','AQAAAAIAAYagAAAAEBU7WvZUlmuxRLtP9MA02N8e1BpQpmDu4VVHAs3JwI/EdG1aTDF0rfO/jl86y4o1/Q==',0,NULL,'staff',NULL,'auditor','A81001');
INSERT INTO accounts VALUES('01A214A8-69C0-752D-B5F9-1C60D75A5888','gp.a81002','Demo gp (Hillview)','AQAAAAIAAYagAAAAEOkg+7cGFu33dox/12bUxrMUz5Ue8PumI4gCbYb4R3f8hHMPT4kOH/fRE4Q8jamF8w==',0,NULL,'staff',NULL,'gp','A81002');
INSERT INTO accounts VALUES('01A214A8-69F5-74C6-976B-AEF855275D03','practice-manager.a81002','Demo practice-manager (Hillview)','AQAAAAIAAYagAAAAEEfqDLtgUIWcXdvTX0XzvO2kH287wLgMVfmfRgZZ5OjoLiHGhr+Siyku6wtYjxgv0w==',0,NULL,'staff',NULL,'practice-manager','A81002');
INSERT INTO accounts VALUES('01A214A8-6A43-7F8F-9857-F9563DEB937A','patient.demo','Demo Patient','AQAAAAIAAYagAAAAEKiT5y0Me5D+2PRr3MwilYWZWoM1jHHdgc/ejNG4Z7G7P9verL9yqOgucnbnYCknbQ==',0,NULL,'patient','0196F1C0-0000-7000-8000-000000000001',NULL,NULL);
CREATE TABLE IF NOT EXISTS "module_enablements" (
    "PracticeOds" TEXT NOT NULL,
    "ClientId" TEXT NOT NULL,
    "EnabledAt" INTEGER NOT NULL,
    "EnabledBy" TEXT NOT NULL,
    CONSTRAINT "PK_module_enablements" PRIMARY KEY ("PracticeOds", "ClientId"),
    CONSTRAINT "FK_module_enablements_practices_PracticeOds" FOREIGN KEY ("PracticeOds") REFERENCES "practices" ("OdsCode") ON DELETE CASCADE,
    CONSTRAINT "FK_module_enablements_supplier_modules_ClientId" FOREIGN KEY ("ClientId") REFERENCES "supplier_modules" ("ClientId") ON DELETE CASCADE
);
INSERT INTO module_enablements VALUES('A81001','demo-module',639312397114215460,'demo');
CREATE TABLE IF NOT EXISTS "OpenIddictTokens" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_OpenIddictTokens" PRIMARY KEY,
    "ApplicationId" TEXT NULL,
    "AuthorizationId" TEXT NULL,
    "ConcurrencyToken" TEXT NULL,
    "CreationDate" TEXT NULL,
    "ExpirationDate" TEXT NULL,
    "Payload" TEXT NULL,
    "Properties" TEXT NULL,
    "RedemptionDate" TEXT NULL,
    "ReferenceId" TEXT NULL,
    "Status" TEXT NULL,
    "Subject" TEXT NULL,
    "Type" TEXT NULL,
    CONSTRAINT "FK_OpenIddictTokens_OpenIddictApplications_ApplicationId" FOREIGN KEY ("ApplicationId") REFERENCES "OpenIddictApplications" ("Id"),
    CONSTRAINT "FK_OpenIddictTokens_OpenIddictAuthorizations_AuthorizationId" FOREIGN KEY ("AuthorizationId") REFERENCES "OpenIddictAuthorizations" ("Id")
);
INSERT INTO OpenIddictTokens VALUES('35bedf8e-64f5-4aef-8c44-b078d6ebfcf6','42f50855-620a-4037-a5b2-309279645367',NULL,'03ff90d1-ca4c-473e-9b33-d8693106d8ca','2026-11-25 21:41:57','2026-11-25 21:46:57',NULL,NULL,NULL,NULL,'valid','demo-module','urn:ietf:params:oauth:token-type:access_token');
INSERT INTO OpenIddictTokens VALUES('436df0ea-d42f-4f7a-927f-e037f6c2dc02','564ef647-5fab-4554-9949-f4d1354018b2','2a2d5025-a3e9-4aa6-8d3a-2afd0ed01941','5c0ffc05-9c24-4b33-9663-059bcec0c427','2026-11-25 21:41:58','2026-11-25 21:43:58','eyJhbGciOiJBMjU2S1ciLCJlbmMiOiJBMjU2Q0JDLUhTNTEyIiwia2lkIjoiYWhsODFpMVVQRDV0OUZMdyIsInR5cCI6Im9pX2F1Yytqd3QiLCJjdHkiOiJKV1QifQ.UaW-qTYTnLmFNSgwcXpt5VJQcXlFgCf5WyxMaBGeqs3AAowCsSHGYj2vjJtXKV6P7giqqlneIUd7gkRQ75PSfks5dAUmKslo.x8yGrlsT9CMqS4w0vPhhuQ.PzheClBVTw41drD547WzyB_goKP5z3j28Z_Rvv9dMJv4Moq_dd4lZ34lQg8fhsgy0WhYfIA-J3GoAsxcSupprZkMnRyHqzAtYuNL7t-LtmeDce701ZOhl28LhUBk8SypDvCAntRWS6GqzEDXtjYJqcXcqGqmkNa-VJnCAdpuHmEpYg56R92JbCigY3nIFQqcWYExXNEMSQ6y-6-8Zi2BYPsAMK1cWgV8r-GKm1yxU7xkXt6s_DYc1dCPvY9Jf1nUZgrFBjHHf4mdG0ucLK8aka0UUyJP3hYaplUaL5GgsT-vKL97Erot8E199oWg0npa_-Od-bgwYbRiTkhyhSD_PrNT-DVBgftcpixWBANyUdxfwZGNtehlhBFlcnPE0u8zX-YbMZk-uZcF9MKDPkpWJiceVYdlORxnqs248vkC2CM44LfDKoV30u-vYJdOMKPi2yiZfgxZwi2Bd_Ex3roln5Zpf_ZFzGcEqVABbwLfSfyCXtEu8Y2UbFi5wErmVfZ_qoLQBJ4LFnJSvcp6xSCibeigpu6fw45QqDHo89TdtIXOWkdjEAOhV1wTR4PAfqnrgbgkZJByuqaTFIo-BnIBTrgRWuVkTi9xHkUOzdSo-BM41JIOQCPP5sbdAQnGMT6Q6l6lN0yhAagPb2uBI-a7oShfkC30aa4H0s-hgAmCf5GA6bf807GwelwobnS9UZSQ1-L-0aKKTt5P3GMH9Ejm-8bI0pW9nIapl0LYXO7A7dpVuhZUKMyQye7Dt_luktLLxdzrcO83w5C0-IoeWPimhn8D1YN-QPXApAmPtA_EYuGlyx5-izaYklE5ophbLIwImGkjRP7DXCnqp18TVExfpeTDyXfn5COBDuw_Y7g8EzKkVYMxwVOBrp0d7lUgYjVQQVIrddQUP_MIAnS15k3FgLEW0Q-GmQKsI_KdvzhmiXZIEi8Kjy5rfpxwXrzA9QJWRAtiEqOdm-fSYSL3Hy9c-hIxvkH7l_u5U46v4re4mivvj_dSwrRKO-U1hiljvXbpfngvoUVbg3qDZZdFTzKRloNhioFGDAptEVt97R0WQUlYNkk9n6hf9DvbvbpoUx6MJAWOnBVQ_iEviEq204_xx4ESQnUg1aVYvz2Wy5IB5QsjDyhdP1-3ggAmsQHru3irx0Wun8upyYrejBlHqEC1HrGnrBnb6MCPanAPgdMQ6hx4r9UiSYa34qkeQW2ebweW4dhU0gkmYQspvbzX4IPKwQI-O_xnlFbjfbXJlAdXPVxE33qEkStSpArQvoZgCFsPus2Rt1Jb0gFDoaDCzc4x4YXesFvNikF0daKIc36H2Z6K2XoeFbyaXqReonFN8tEnAqpKmQEn2iF3ReOIAcU4tp75ljKE_TQm4XWYYzdqTfjP_rA-u9YkfB_WIZNPFDYcfBFkdzoqtO6RVgIgnmUKSFVYkqaJ12tdGtwV5AZ6xjsWSyiKzs-965C8z9JJm-CA2gPwiN5x2yzQ_n-0VjHmjheeYEems2SvUCBqZiu3AK1G9gTuig7NJLjmNeHpm92SwbtF0Wkme1mJdP03SpTAT0AtxzLD29IJn2pZpBLMMavZ99pQ7V17ucMUwjOfWF281EELCwPW1gpyINSK0IjDLe22XutclMHVhQ-7108c1Q1736xM3GnULQSmvDSQGcyqeOjLdULNRk8BgZRslNAWiKGlwV0hCBgDvN4G7mCuwawj2R7nhQJBSqnmA0123nnxJlCjXwZu5eyWPhA3jx2ajY5le-EiXpJgBrIJtMW9-th9oI6KYxZ4ClW_uk_GtguVzw0SfjSs53VB123N_kRviwgC-FdGOSq9P7Cxk3i9CDqqv1SkGvS62OOvn-uOrBMODWSRGgbdD39OLcxw4dJ43twBR9LKz0z7UwNeUHEEsx66fFTw-SzgxqZGSRN5JYlrDgEDFeXGbeoXnp2SuL1Wd0Xg1T9XM6Edbe3Kzg2EvvJyXtfgzgS0Vy4gZas4XAQn.XC6vTYo_8f7vNk_6gQ58-fMyYocAC3VC9Udjg-sXajY',NULL,'2026-11-25 21:41:58.3898576','Louh2/QiTXnCkN5rr+G2zXWsLnJ06GihZNprcTDhgBQ=','redeemed','01a214a8-688d-7453-b80a-66bb2ee23cf7','urn:openiddict:params:oauth:token-type:authorization_code');
INSERT INTO OpenIddictTokens VALUES('9b0e78b6-1473-441f-9228-fb8f0acbc00d','564ef647-5fab-4554-9949-f4d1354018b2','2a2d5025-a3e9-4aa6-8d3a-2afd0ed01941','42d03bff-1c84-4c30-b090-94dc8fed5d9b','2026-11-25 21:41:58','2026-11-25 21:46:58',NULL,NULL,NULL,NULL,'valid','01a214a8-688d-7453-b80a-66bb2ee23cf7','urn:ietf:params:oauth:token-type:access_token');
INSERT INTO OpenIddictTokens VALUES('d7213377-c562-45bf-8851-9bebfd50d20c','564ef647-5fab-4554-9949-f4d1354018b2','2a2d5025-a3e9-4aa6-8d3a-2afd0ed01941','3d9e62d0-2bbe-497c-8622-9290d9f5c67b','2026-11-25 21:41:58','2026-11-26 05:41:58',NULL,NULL,'2026-11-25 21:41:58.5331153',NULL,'redeemed','01a214a8-688d-7453-b80a-66bb2ee23cf7','urn:ietf:params:oauth:token-type:refresh_token');
INSERT INTO OpenIddictTokens VALUES('50f554d3-dc03-44e0-972f-8c281c8234bb','564ef647-5fab-4554-9949-f4d1354018b2','2a2d5025-a3e9-4aa6-8d3a-2afd0ed01941','b1e95117-9896-4e38-8374-94448b837a76','2026-11-25 21:41:58','2026-11-25 21:46:58',NULL,NULL,NULL,NULL,'valid','01a214a8-688d-7453-b80a-66bb2ee23cf7','urn:ietf:params:oauth:token-type:id_token');
INSERT INTO OpenIddictTokens VALUES('ec86f85b-17e0-49b4-b8ca-8e0e34bd81f0','564ef647-5fab-4554-9949-f4d1354018b2','2a2d5025-a3e9-4aa6-8d3a-2afd0ed01941','d37d0c2e-adaa-4059-9013-d12d83c006c1','2026-11-25 21:41:58','2026-11-25 21:46:58',NULL,NULL,NULL,NULL,'valid','01a214a8-688d-7453-b80a-66bb2ee23cf7','urn:ietf:params:oauth:token-type:access_token');
INSERT INTO OpenIddictTokens VALUES('98462bd8-51c6-4adc-8b63-71c7e7c3531c','564ef647-5fab-4554-9949-f4d1354018b2','2a2d5025-a3e9-4aa6-8d3a-2afd0ed01941','3f1d3abe-699c-490e-8fa4-6a1fead2935f','2026-11-25 21:41:58','2026-11-26 05:41:58',NULL,NULL,NULL,NULL,'valid','01a214a8-688d-7453-b80a-66bb2ee23cf7','urn:ietf:params:oauth:token-type:refresh_token');
INSERT INTO OpenIddictTokens VALUES('57ae0c8a-9f81-4588-9d1d-5ce1ab740c6a','564ef647-5fab-4554-9949-f4d1354018b2','2a2d5025-a3e9-4aa6-8d3a-2afd0ed01941','8fb1e10f-24bb-41f2-a83a-d154ea24b086','2026-11-25 21:41:58','2026-11-25 21:46:58',NULL,NULL,NULL,NULL,'valid','01a214a8-688d-7453-b80a-66bb2ee23cf7','urn:ietf:params:oauth:token-type:id_token');
CREATE UNIQUE INDEX "IX_OpenIddictApplications_ClientId" ON "OpenIddictApplications" ("ClientId");
CREATE INDEX "IX_OpenIddictAuthorizations_ApplicationId_Status_Subject_Type" ON "OpenIddictAuthorizations" ("ApplicationId", "Status", "Subject", "Type");
CREATE UNIQUE INDEX "IX_OpenIddictScopes_Name" ON "OpenIddictScopes" ("Name");
CREATE INDEX "IX_OpenIddictTokens_ApplicationId_Status_Subject_Type" ON "OpenIddictTokens" ("ApplicationId", "Status", "Subject", "Type");
CREATE INDEX "IX_OpenIddictTokens_AuthorizationId" ON "OpenIddictTokens" ("AuthorizationId");
CREATE UNIQUE INDEX "IX_OpenIddictTokens_ReferenceId" ON "OpenIddictTokens" ("ReferenceId");
CREATE UNIQUE INDEX "IX_accounts_PatientId" ON "accounts" ("PatientId");
CREATE INDEX "IX_accounts_PracticeOds" ON "accounts" ("PracticeOds");
CREATE UNIQUE INDEX "IX_accounts_UserName" ON "accounts" ("UserName");
CREATE INDEX "IX_module_enablements_ClientId" ON "module_enablements" ("ClientId");
CREATE INDEX "IX_registrations_PracticeOds" ON "registrations" ("PracticeOds");
COMMIT;
