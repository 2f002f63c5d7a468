"""English dates as the UN and IOM write them ("1 January 2027"), not Django's American
default ("Jan. 1, 2027"). French and Spanish keep Django's own formats ("1 janvier 2027",
"1 de enero de 2027")."""

DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
MONTH_DAY_FORMAT = "j F"
