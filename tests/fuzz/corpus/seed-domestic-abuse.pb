

evt-seed-1
ASP-SEED-1"ASP*storm2 ²¢Ø:„³¢Ø@J
1 Seed StreetBS1 4DJR
p1A"B*
1990-01-01R
p2`R/
c1*
2018-05-05B	BA1 1AAZ
p1j"okR
c20B"	E06000066j0Zb
"P1j
°µ¢Ør

1PC*0zseed‚