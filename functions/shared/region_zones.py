"""Which IANA zone a state or province keeps, for the countries that span several zones.

One row per first-level subdivision: `ISO 3166-2 code | names (English, local; `;`-separated) | zone`.
The zone is the one tzdata's `zone.tab` (shipped in the `tzdata` package, read by
`shared.customer_time`) names for the subdivision in its comments ("Central (most areas)",
"Mountain - ID (south)", "Brazil (southeast: GO, DF, MG, ES, RJ, SP, PR, SC, RS)", ...); where a
subdivision straddles two zones, the one most of its people live in. Every zone here is checked
against `zone.tab` by the unit tests, so a tzdata update that renames a zone fails loudly.

Only countries whose people live in more than one UTC offset are listed; elsewhere the country's
zone (from `zone.tab`) is exact enough for a message's clock time.
"""

from __future__ import annotations

US = """
AL|Alabama|America/Chicago
AK|Alaska|America/Anchorage
AZ|Arizona|America/Phoenix
AR|Arkansas|America/Chicago
CA|California|America/Los_Angeles
CO|Colorado|America/Denver
CT|Connecticut|America/New_York
DE|Delaware|America/New_York
DC|District of Columbia;Washington DC;Washington D.C.|America/New_York
FL|Florida|America/New_York
GA|Georgia|America/New_York
HI|Hawaii|Pacific/Honolulu
ID|Idaho|America/Boise
IL|Illinois|America/Chicago
IN|Indiana|America/Indiana/Indianapolis
IA|Iowa|America/Chicago
KS|Kansas|America/Chicago
KY|Kentucky|America/New_York
LA|Louisiana|America/Chicago
ME|Maine|America/New_York
MD|Maryland|America/New_York
MA|Massachusetts|America/New_York
MI|Michigan|America/Detroit
MN|Minnesota|America/Chicago
MS|Mississippi|America/Chicago
MO|Missouri|America/Chicago
MT|Montana|America/Denver
NE|Nebraska|America/Chicago
NV|Nevada|America/Los_Angeles
NH|New Hampshire|America/New_York
NJ|New Jersey|America/New_York
NM|New Mexico|America/Denver
NY|New York|America/New_York
NC|North Carolina|America/New_York
ND|North Dakota|America/Chicago
OH|Ohio|America/New_York
OK|Oklahoma|America/Chicago
OR|Oregon|America/Los_Angeles
PA|Pennsylvania|America/New_York
RI|Rhode Island|America/New_York
SC|South Carolina|America/New_York
SD|South Dakota|America/Chicago
TN|Tennessee|America/Chicago
TX|Texas|America/Chicago
UT|Utah|America/Denver
VT|Vermont|America/New_York
VA|Virginia|America/New_York
WA|Washington|America/Los_Angeles
WV|West Virginia|America/New_York
WI|Wisconsin|America/Chicago
WY|Wyoming|America/Denver
PR|Puerto Rico|America/Puerto_Rico
GU|Guam|Pacific/Guam
VI|Virgin Islands;U.S. Virgin Islands|America/St_Thomas
AS|American Samoa|Pacific/Pago_Pago
MP|Northern Mariana Islands|Pacific/Saipan
"""

CA = """
AB|Alberta|America/Edmonton
BC|British Columbia;Colombie-Britannique|America/Vancouver
MB|Manitoba|America/Winnipeg
NB|New Brunswick;Nouveau-Brunswick|America/Moncton
NL|Newfoundland and Labrador;Newfoundland;Terre-Neuve-et-Labrador|America/St_Johns
NS|Nova Scotia;Nouvelle-Ecosse|America/Halifax
NT|Northwest Territories;Territoires du Nord-Ouest|America/Edmonton
NU|Nunavut|America/Iqaluit
ON|Ontario|America/Toronto
PE|Prince Edward Island;PEI;Ile-du-Prince-Edouard|America/Halifax
QC|Quebec|America/Toronto
SK|Saskatchewan|America/Regina
YT|Yukon|America/Whitehorse
"""

AU = """
ACT|Australian Capital Territory|Australia/Sydney
NSW|New South Wales|Australia/Sydney
NT|Northern Territory|Australia/Darwin
QLD|Queensland|Australia/Brisbane
SA|South Australia|Australia/Adelaide
TAS|Tasmania|Australia/Hobart
VIC|Victoria|Australia/Melbourne
WA|Western Australia|Australia/Perth
"""

BR = """
AC|Acre|America/Rio_Branco
AL|Alagoas|America/Maceio
AP|Amapa|America/Belem
AM|Amazonas|America/Manaus
BA|Bahia|America/Bahia
CE|Ceara|America/Fortaleza
DF|Distrito Federal;Federal District;Brasilia|America/Sao_Paulo
ES|Espirito Santo|America/Sao_Paulo
GO|Goias|America/Sao_Paulo
MA|Maranhao|America/Fortaleza
MT|Mato Grosso|America/Cuiaba
MS|Mato Grosso do Sul|America/Campo_Grande
MG|Minas Gerais|America/Sao_Paulo
PA|Para|America/Belem
PB|Paraiba|America/Fortaleza
PR|Parana|America/Sao_Paulo
PE|Pernambuco|America/Recife
PI|Piaui|America/Fortaleza
RJ|Rio de Janeiro|America/Sao_Paulo
RN|Rio Grande do Norte|America/Fortaleza
RS|Rio Grande do Sul|America/Sao_Paulo
RO|Rondonia|America/Porto_Velho
RR|Roraima|America/Boa_Vista
SC|Santa Catarina|America/Sao_Paulo
SP|Sao Paulo|America/Sao_Paulo
SE|Sergipe|America/Maceio
TO|Tocantins|America/Araguaina
"""

MX = """
AGU|Aguascalientes|America/Mexico_City
BCN|Baja California|America/Tijuana
BCS|Baja California Sur|America/Mazatlan
CAM|Campeche|America/Merida
CHP|Chiapas|America/Mexico_City
CHH|Chihuahua|America/Chihuahua
CMX|Ciudad de Mexico;Mexico City;CDMX;Distrito Federal|America/Mexico_City
COA|Coahuila;Coahuila de Zaragoza|America/Monterrey
COL|Colima|America/Mexico_City
DUR|Durango|America/Monterrey
GUA|Guanajuato|America/Mexico_City
GRO|Guerrero|America/Mexico_City
HID|Hidalgo|America/Mexico_City
JAL|Jalisco|America/Mexico_City
MEX|Estado de Mexico;State of Mexico;Mexico|America/Mexico_City
MIC|Michoacan;Michoacan de Ocampo|America/Mexico_City
MOR|Morelos|America/Mexico_City
NAY|Nayarit|America/Mazatlan
NLE|Nuevo Leon|America/Monterrey
OAX|Oaxaca|America/Mexico_City
PUE|Puebla|America/Mexico_City
QUE|Queretaro|America/Mexico_City
ROO|Quintana Roo|America/Cancun
SLP|San Luis Potosi|America/Mexico_City
SIN|Sinaloa|America/Mazatlan
SON|Sonora|America/Hermosillo
TAB|Tabasco|America/Mexico_City
TAM|Tamaulipas|America/Monterrey
TLA|Tlaxcala|America/Mexico_City
VER|Veracruz;Veracruz de Ignacio de la Llave|America/Mexico_City
YUC|Yucatan|America/Merida
ZAC|Zacatecas|America/Mexico_City
"""

RU = """
KGD|Kaliningrad Oblast;Kaliningrad|Europe/Kaliningrad
MOW|Moscow;Moskva|Europe/Moscow
MOS|Moscow Oblast;Moskovskaya oblast|Europe/Moscow
SPE|Saint Petersburg;St Petersburg;Sankt-Peterburg|Europe/Moscow
LEN|Leningrad Oblast|Europe/Moscow
AD|Adygea|Europe/Moscow
ARK|Arkhangelsk Oblast|Europe/Moscow
BEL|Belgorod Oblast|Europe/Moscow
BRY|Bryansk Oblast|Europe/Moscow
CE|Chechnya;Chechen Republic|Europe/Moscow
CU|Chuvashia;Chuvash Republic|Europe/Moscow
DA|Dagestan|Europe/Moscow
IN|Ingushetia|Europe/Moscow
IVA|Ivanovo Oblast|Europe/Moscow
KB|Kabardino-Balkaria|Europe/Moscow
KC|Karachay-Cherkessia|Europe/Moscow
KL|Kalmykia|Europe/Moscow
KLU|Kaluga Oblast|Europe/Moscow
KR|Karelia|Europe/Moscow
KO|Komi|Europe/Moscow
KOS|Kostroma Oblast|Europe/Moscow
KDA|Krasnodar Krai|Europe/Moscow
KRS|Kursk Oblast|Europe/Moscow
LIP|Lipetsk Oblast|Europe/Moscow
ME|Mari El|Europe/Moscow
MO|Mordovia|Europe/Moscow
MUR|Murmansk Oblast|Europe/Moscow
NEN|Nenets|Europe/Moscow
NIZ|Nizhny Novgorod Oblast|Europe/Moscow
NGR|Novgorod Oblast|Europe/Moscow
ORL|Oryol Oblast|Europe/Moscow
PNZ|Penza Oblast|Europe/Moscow
PSK|Pskov Oblast|Europe/Moscow
ROS|Rostov Oblast|Europe/Moscow
RYA|Ryazan Oblast|Europe/Moscow
SE|North Ossetia-Alania;North Ossetia|Europe/Moscow
SMO|Smolensk Oblast|Europe/Moscow
STA|Stavropol Krai|Europe/Moscow
TA|Tatarstan|Europe/Moscow
TAM|Tambov Oblast|Europe/Moscow
TVE|Tver Oblast|Europe/Moscow
TUL|Tula Oblast|Europe/Moscow
VLA|Vladimir Oblast|Europe/Moscow
VLG|Vologda Oblast|Europe/Moscow
VOR|Voronezh Oblast|Europe/Moscow
YAR|Yaroslavl Oblast|Europe/Moscow
KIR|Kirov Oblast|Europe/Kirov
VGG|Volgograd Oblast|Europe/Volgograd
AST|Astrakhan Oblast|Europe/Astrakhan
SAM|Samara Oblast|Europe/Samara
SAR|Saratov Oblast|Europe/Saratov
UD|Udmurtia|Europe/Samara
ULY|Ulyanovsk Oblast|Europe/Ulyanovsk
BA|Bashkortostan|Asia/Yekaterinburg
CHE|Chelyabinsk Oblast|Asia/Yekaterinburg
KGN|Kurgan Oblast|Asia/Yekaterinburg
KHM|Khanty-Mansi|Asia/Yekaterinburg
ORE|Orenburg Oblast|Asia/Yekaterinburg
PER|Perm Krai|Asia/Yekaterinburg
SVE|Sverdlovsk Oblast|Asia/Yekaterinburg
TYU|Tyumen Oblast|Asia/Yekaterinburg
YAN|Yamalo-Nenets|Asia/Yekaterinburg
OMS|Omsk Oblast|Asia/Omsk
NVS|Novosibirsk Oblast|Asia/Novosibirsk
ALT|Altai Krai|Asia/Barnaul
AL|Altai Republic|Asia/Barnaul
TOM|Tomsk Oblast|Asia/Tomsk
KEM|Kemerovo Oblast|Asia/Novokuznetsk
KYA|Krasnoyarsk Krai|Asia/Krasnoyarsk
KK|Khakassia|Asia/Krasnoyarsk
TY|Tuva|Asia/Krasnoyarsk
IRK|Irkutsk Oblast|Asia/Irkutsk
BU|Buryatia|Asia/Irkutsk
ZAB|Zabaykalsky Krai|Asia/Chita
AMU|Amur Oblast|Asia/Yakutsk
SA|Sakha;Yakutia|Asia/Yakutsk
PRI|Primorsky Krai|Asia/Vladivostok
KHA|Khabarovsk Krai|Asia/Vladivostok
YEV|Jewish Autonomous Oblast|Asia/Vladivostok
SAK|Sakhalin Oblast|Asia/Sakhalin
MAG|Magadan Oblast|Asia/Magadan
KAM|Kamchatka Krai|Asia/Kamchatka
CHU|Chukotka|Asia/Anadyr
"""

REGION_TABLES: dict[str, str] = {"US": US, "CA": CA, "AU": AU, "BR": BR, "MX": MX, "RU": RU}
"""Country (ISO 3166-1 alpha-2) -> its rows."""
