-- standard_conforming_strings on (the default): '' is the only escape, a backslash is a plain character
select 'a\'; select 'b';
select 'it''s; fine' as doubled;
select N'n\'; select B'1010', X'1F', b'0';
select U&'d\0061t\+000061;' as unicode, U&'a\' UESCAPE '!' as own_escape;
select 'several
lines; one string' as multiline;
