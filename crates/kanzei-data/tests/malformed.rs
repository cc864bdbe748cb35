//! Malformed official files get errors naming file, line and column.

use kanzei_data::census_country::CountryTrade;
use kanzei_data::japan_mof::JapanTrade;
use kanzei_data::us_imports::UsImports;

const HEADER: &str = "year,CTY_CODE,CTYNAME,IJAN,IFEB,IMAR,IAPR,IMAY,IJUN,IJUL,IAUG,ISEP,IOCT,INOV,IDEC,IYR,EJAN,EFEB,EMAR,EAPR,EMAY,EJUN,EJUL,EAUG,ESEP,EOCT,ENOV,EDEC,EYR";

#[test]
fn truncated_census_row() {
    let text = format!("{HEADER}\n2024,5880,Japan,1,1,1\n");
    let err = CountryTrade::parse("country.csv", text.as_bytes()).unwrap_err();
    assert_eq!(err.to_string(), "`country.csv` line 2: expected 29 fields, found 6 (truncated or misquoted row?)");
}

#[test]
fn non_numeric_census_value() {
    let mut fields = vec!["2024".to_string(), "5880".into(), "Japan".into()];
    fields.extend(std::iter::repeat_n("1".to_string(), 26));
    fields[5] = "12x".into();
    let text = format!("{HEADER}\n{}\n", fields.join(","));
    let err = CountryTrade::parse("country.csv", text.as_bytes()).unwrap_err();
    assert_eq!(err.to_string(), "`country.csv` line 2, column `IMAR`: `12x` is not a number");
}

#[test]
fn wrong_census_header() {
    let text = "year,CTY_CODE,CTYNAME,IJAN\n2024,5880,Japan,1\n";
    let err = CountryTrade::parse("country.csv", text.as_bytes()).unwrap_err();
    assert!(err.to_string().starts_with("`country.csv` line 1: header is missing column `IFEB`"), "{err}");
}

#[test]
fn hs_code_of_the_wrong_length() {
    let text = "CTY_CODE,I_COMMODITY,CON_VAL_YR,CAL_DUT_YR\n5880,8703231,100,2\n";
    let err = UsImports::parse_hs10_csv("imports.csv", text.as_bytes(), 2024).unwrap_err();
    assert_eq!(
        err.to_string(),
        "`imports.csv` line 2, column `I_COMMODITY`: `8703231` is not an HS code: it has 7 digits, expected 2, 4, 6, 8 or 10"
    );
    let text = "CTY_CODE,I_COMMODITY,CON_VAL_YR,CAL_DUT_YR\n5880,87032319,100,2\n";
    let err = UsImports::parse_hs10_csv("imports.csv", text.as_bytes(), 2024).unwrap_err();
    assert_eq!(err.to_string(), "`imports.csv` line 2, column `I_COMMODITY`: `87032319` has 8 digits; this column holds HS10 codes");
}

#[test]
fn bad_mof_year() {
    let text = "ex_im,area,goods,year,value_bn_jpy\nexport,USA,Grand Total,24,1\n";
    let err = JapanTrade::parse("trade_year.csv", text.as_bytes(), kanzei_core::AreaRegistry::builtin()).unwrap_err();
    assert_eq!(err.to_string(), "`trade_year.csv` line 2, column `year`: `24` is not a plausible year (1900–2100)");
}
